import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startOidcProvider, type RunningOidcProvider } from '../../fixtures/providers/oidc-provider-server.js';
import { oidcDeps, refreshGrantCount, seedOidcConnection, seededSecretEnv, userinfoStatus } from '../support/oidc-connection.js';
import { runBroker } from '../support/run-broker.js';
import { homeStoreBackends } from '../support/home-store-backends.js';
import { tempHome } from '../support/temp-home.js';

// Issue 11 item 6: the home's own locks lived beside the refresh locks (locks/state.lock,
// locks/secrets.lock), so `broker refresh secrets` waited 10 s on itself after the provider had
// rotated the token; and state keys were not checked, so a key "../../x" put a lock outside the home.

let op: RunningOidcProvider;
before(async () => {
  op = await startOidcProvider({ accessTokenTtl: 60 });
});
after(() => op.close());

const backends = homeStoreBackends('internal-locks-test');

describe('connections named like the internal locks', () => {
  for (const [backend, storeEnv] of backends) {
    it(`${backend} store: "state" and "secrets" refresh without waiting on the home's own locks, and the new tokens work`, async () => {
      const home = tempHome();
      const deps = oidcDeps(op, home, { env: storeEnv });
      for (const name of ['state', 'secrets']) await seedOidcConnection(deps, op, name);
      const before = refreshGrantCount(op);
      for (const name of ['state', 'secrets']) {
        const started = performance.now();
        const r = await runBroker(['refresh', name, '--json'], { env: { BROKER_HOME: home, [seededSecretEnv]: op.clientSecret(), ...storeEnv } });
        const took = performance.now() - started;
        assert.equal(r.code, 0, r.stderr);
        assert.equal(JSON.parse(r.stdout).outcome, 'ok');
        // The old layout waited out the 10 s stale time of a lock it held itself.
        assert.ok(took < 8_000, `broker refresh ${name} took ${Math.round(took)} ms`);
        const stored = await oidcDeps(op, home, { env: storeEnv }).tokens().read(name);
        assert.equal(await userinfoStatus(op, stored?.access_token ?? ''), 200, `${name}: the stored token works`);
      }
      assert.deepEqual(refreshGrantCount(op), { ok: before.ok + 2, error: before.error });
    });
  }
});

describe('state keys are connection names', () => {
  it('a state.json key "../../x" is refused (exit 2) and nothing is created outside the home', async () => {
    const parent = tempHome('broker-outside-');
    const home = join(parent, 'home');
    mkdirSync(join(home, 'locks'), { recursive: true, mode: 0o700 });
    const homeId = '0123456789abcdef';
    const expired = new Date(Date.now() - 60_000).toISOString();
    const x = { name: 'x', provider: 'oidc', kind: 'service', issuer: 'http://127.0.0.1:9', clientId: 'c', createdAt: expired, accessTokenExpiresAt: expired };
    writeFileSync(join(home, 'state.json'), JSON.stringify({ version: 1, homeId, connections: { '../../x': x } }), { mode: 0o600 });
    // The entry a refresh would read, stored outside the broker.
    execFileSync('secret-tool', ['store', '--label', 'outside', 'service', `broker:${homeId}`, 'username', '../../x'], { input: JSON.stringify({ access_token: 'at-x', refresh_token: 'rt-x', expires_at: expired }) });

    const created: string[] = [];
    const watcher = watch(parent, (_kind, name) => {
      if (name && name !== 'home') created.push(name);
    });
    const runs: Array<[string, { code: number | null; stderr: string }]> = [];
    try {
      for (const args of [['token', '../../x'], ['refresh', '../../x'], ['remove', '../../x'], ['status', '--json']]) runs.push([args.join(' '), await runBroker(args, { env: { BROKER_HOME: home } })]);
    } finally {
      watcher.close();
    }
    assert.deepEqual(created, [], 'a file or folder appeared outside the home');
    assert.deepEqual(readdirSync(parent), ['home']);
    for (const [what, r] of runs) {
      assert.equal(r.code, 2, `${what}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /unexpected error/);
    }
  });

  it('a key that differs from its connection\'s name makes state.json unreadable, with the reason', async () => {
    const home = tempHome();
    const c = { name: 'b', provider: 'github', kind: 'service', createdAt: new Date().toISOString() };
    writeFileSync(join(home, 'state.json'), JSON.stringify({ version: 1, homeId: '0123456789abcdef', connections: { a: c } }), { mode: 0o600 });
    const r = await runBroker(['status', '--json'], { env: { BROKER_HOME: home } });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /every key must equal its connection's name/);
  });
});
