import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startOidcProvider, type RunningOidcProvider } from '../../fixtures/providers/oidc-provider-server.js';
import { refreshLockPath } from '../../src/adapters/refresh-lock.js';
import { removeCommand } from '../../src/commands/remove.js';
import { oidcDeps, seedOidcConnection, seededSecretEnv } from '../support/oidc-connection.js';
import { runBroker } from '../support/run-broker.js';
import { homeStoreBackends } from '../support/home-store-backends.js';
import { tempHome } from '../support/temp-home.js';
import { waitUntil } from '../support/wait-until.js';

// Issue 11 item 7: `broker remove` racing an in-flight refresh left the bundle in the store in 8 of
// 12 (file) and 7 of 12 (keychain) rounds, after printing "removed c1 and its secrets". Each round
// here starts the remove while a `broker refresh` process holds the connection's lock, i.e. while
// its request is in flight.

const rounds = 10;
let op: RunningOidcProvider;
before(async () => {
  op = await startOidcProvider({ accessTokenTtl: 60 });
});
after(() => op.close());

const backends = homeStoreBackends('remove-race-test');

describe('broker remove during an in-flight refresh', () => {
  for (const [backend, storeEnv] of backends) {
    it(`${backend} store, ${rounds} rounds: once remove says "removed … and its secrets", the store holds nothing`, async () => {
      const left: number[] = [];
      for (let round = 0; round < rounds; round++) {
        const home = tempHome();
        const deps = oidcDeps(op, home, { env: storeEnv });
        await seedOidcConnection(deps, op, 'c1');
        const lock = refreshLockPath(deps.paths, 'c1');
        const refresh = runBroker(['refresh', 'c1'], { env: { BROKER_HOME: home, [seededSecretEnv]: op.clientSecret(), ...storeEnv } });
        await waitUntil(() => existsSync(lock), 'the refresh to take its lock');
        assert.equal(await removeCommand.run({ name: 'c1' }, deps), 0);
        assert.match(deps.io.out(), /^removed c1 and its secrets\n$/);
        await refresh;
        if ((await deps.tokens().read('c1')) !== null) left.push(round);
        assert.equal(deps.state().get('c1'), undefined);
      }
      assert.deepEqual(left, [], `the bundle was left in the store in ${left.length} of ${rounds} rounds`);
    });
  }
});
