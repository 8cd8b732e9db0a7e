import assert from 'node:assert/strict';
import { mkdirSync, statSync, utimesSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startOidcProvider, type RunningOidcProvider } from '../../fixtures/providers/oidc-provider-server.js';
import { acquireRefreshLock, refreshLockPath } from '../../src/adapters/refresh-lock.js';
import { oidcDeps, seedOidcConnection, seededSecretEnv } from '../support/oidc-connection.js';
import { runBroker } from '../support/run-broker.js';
import { tempHome } from '../support/temp-home.js';

// Issue 11 item 10: a lock is stale when untouched for 10 s, but one whose mtime is in the future
// (a clock that was wrong, then corrected) was never stale: every refresh failed after 12 s until
// the clock caught up.

let op: RunningOidcProvider;
before(async () => {
  op = await startOidcProvider({ accessTokenTtl: 60 });
});
after(() => op.close());

const inAnHour = () => new Date(Date.now() + 3600_000);

describe('a lock dated in the future', () => {
  it('a refresh lock an hour ahead is taken over: broker refresh succeeds at once', async () => {
    const home = tempHome();
    const deps = oidcDeps(op, home);
    await seedOidcConnection(deps, op, 'svc');
    const lock = refreshLockPath(deps.paths, 'svc');
    mkdirSync(lock);
    utimesSync(lock, inAnHour(), inAnHour());
    const started = performance.now();
    const r = await runBroker(['refresh', 'svc'], { env: { BROKER_HOME: home, [seededSecretEnv]: op.clientSecret() } });
    const took = performance.now() - started;
    assert.equal(r.code, 0, r.stderr);
    assert.ok(took < 8_000, `took ${Math.round(took)} ms: it waited for the lock`);
  });

  it('the state lock an hour ahead is taken over too', async () => {
    const home = tempHome();
    const deps = oidcDeps(op, home);
    await seedOidcConnection(deps, op, 'svc');
    const { internalLockPath } = await import('../../src/adapters/home.js');
    const lock = internalLockPath(deps.paths, 'state');
    mkdirSync(lock);
    utimesSync(lock, inAnHour(), inAnHour());
    const started = performance.now();
    await deps.state().update('svc', (c) => ({ ...c, lastUsedAt: new Date().toISOString() }));
    assert.ok(performance.now() - started < 8_000);
  });

  it('a live holder\'s lock (stamped now) is left alone', async () => {
    const { rewindFutureLock } = await import('../../src/adapters/lock-dir.js');
    const deps = oidcDeps(op, tempHome());
    const held = await acquireRefreshLock(deps.paths, 'svc', {});
    try {
      const lock = refreshLockPath(deps.paths, 'svc');
      const before = statSync(lock).mtimeMs;
      assert.equal(rewindFutureLock(lock), false);
      assert.equal(statSync(lock).mtimeMs, before);
    } finally {
      await held.release();
    }
  });
});
