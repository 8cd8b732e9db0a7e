import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startOidcProvider, type RunningOidcProvider } from '../../fixtures/providers/oidc-provider-server.js';
import { oauthConfiguration, refreshGrant } from '../../src/adapters/oauth-client.js';
import { RefreshRefusedError, refreshUnderLock } from '../../src/adapters/refresh-under-lock.js';
import { medianOf, runCrashHarness } from '../support/crash-harness.js';
import { oidcDeps, seedOidcConnection, seededSecretEnv } from '../support/oidc-connection.js';
import { runBroker } from '../support/run-broker.js';
import { homeStoreBackends } from '../support/home-store-backends.js';
import { tempHome } from '../support/temp-home.js';

// Issue 11 item 8 / issue 10 "crash safety, measured". bench/crash-safety.bench.ts runs the same
// harness with 100 kills per backend and prints the figures.

const kills = 15;
let op: RunningOidcProvider;
before(async () => {
  op = await startOidcProvider({ accessTokenTtl: 60 });
});
after(() => op.close());

const backends = homeStoreBackends('crash-safety-test');

describe('SIGKILL during broker refresh', () => {
  for (const [backend, storeEnv] of backends) {
    it(`${backend} store, ${kills} kills at random moments: no file left unreadable, no temp file kept, no dead token handed out`, async (t) => {
      const seed = Math.floor(Math.random() * 2 ** 31);
      const r = await runCrashHarness({ op, home: tempHome(), storeEnv, kills, seed });
      t.diagnostic(
        `${backend}: seed ${seed}, ${r.killedMidway}/${r.kills} killed mid-run (range ${Math.round(r.killRangeMs)} ms), ${r.dead.length} dead; ` +
          `provider answer → bundle stored: median ${medianOf(r.persistMs).toFixed(2)} ms, max ${Math.max(...r.persistMs).toFixed(2)} ms over ${r.persistMs.length} refreshes`,
      );
      assert.deepEqual(r.unreadable, [], `seed ${seed}`);
      assert.deepEqual(r.tempsAfterWrite, [], `seed ${seed}: temp files still there after the next write`);
      assert.deepEqual(r.deadTokensPrinted, [], `seed ${seed}: broker token handed out a token it knew was dead`);
      assert.deepEqual(r.liveTokensFailing, [], `seed ${seed}`);
      assert.ok(r.persistMs.length >= kills - r.killedMidway, 'every completed refresh measured its window');
    });
  }
});

describe('broker token and a refused grant', () => {
  for (const [backend, storeEnv] of backends) {
    it(`${backend} store: once the provider refused the refresh token, token exits 3 and prints nothing, although the access token is not due`, async () => {
      const home = tempHome();
      const deps = oidcDeps(op, home, { env: storeEnv });
      const seeded = await seedOidcConnection(deps, op, 'svc', { expiresAt: new Date(Date.now() + 3600_000) });
      // Someone presents the refresh token outside the broker (a copy, a crashed refresh): the next
      // use by the broker is a reuse, and the provider revokes the whole grant.
      const config = await oauthConfiguration({ issuer: op.issuer, discovery: true }, { clientId: op.clientId, clientSecret: op.clientSecret() });
      await refreshGrant(config, seeded.refresh_token ?? '');
      await assert.rejects(refreshUnderLock(deps, { conn: 'svc', trigger: 'manual' }), RefreshRefusedError);
      const env = { BROKER_HOME: home, [seededSecretEnv]: op.clientSecret(), ...storeEnv };
      const r = await runBroker(['token', 'svc'], { env });
      assert.equal(r.stdout, '', 'the dead token was printed');
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /refused the refresh token of "svc".*nothing has succeeded since/);
      assert.match(r.stderr, /fix: broker login svc/);
      assert.ok(!r.stderr.includes(seeded.access_token));
    });
  }
});

describe('temp files killed writers leave', () => {
  it('are swept by the next write of state.json and secrets.enc, under the file\'s lock', async () => {
    const home = tempHome();
    const env = { BROKER_HOME: home, BROKER_STORE: 'file', BROKER_PASSPHRASE: 'temp-files-test' };
    assert.equal((await runBroker(['connect', 'a', '--provider', 'slack', '--token-stdin'], { env, input: 'xoxb-a' })).code, 0);
    // What conf (atomically), the broker's own writer and the older secrets writer leave when killed mid-write.
    const leftovers = ['state.json.tmp-17000000001234567', 'state.json.tmp-4242-0badc0de', 'secrets.enc.4242.tmp', 'secrets.enc.tmp-4242-0badc0de'];
    for (const name of leftovers) writeFileSync(join(home, name), '{"half": ');
    const r = await runBroker(['connect', 'b', '--provider', 'slack', '--token-stdin'], { env, input: 'xoxb-b' });
    assert.equal(r.code, 0, r.stderr);
    for (const name of leftovers) assert.ok(!existsSync(join(home, name)), `${name} is still there`);
    assert.deepEqual(readdirSync(home).filter((n) => n.includes('.tmp')), []);
  });
});
