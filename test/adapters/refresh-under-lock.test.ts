import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startOidcProvider, type RunningOidcProvider } from '../../fixtures/providers/oidc-provider-server.js';
import { oauthConfiguration, refreshGrant } from '../../src/adapters/oauth-client.js';
import { refreshLockPath } from '../../src/adapters/refresh-lock.js';
import { RefreshRefusedError, refreshUnderLock } from '../../src/adapters/refresh-under-lock.js';
import type { Deps } from '../../src/commands/deps.js';
import { exitCodes } from '../../src/core/exit-codes.js';
import { fingerprint } from '../../src/core/fingerprint.js';
import { loggedEvents, oidcDeps, refreshGrantCount, seedOidcConnection, seededSecretEnv, userinfoStatus } from '../support/oidc-connection.js';
import { tempHome } from '../support/temp-home.js';

// Real parts only: oidc-provider on 127.0.0.1 (rotation on, reuse revokes the grant), the real
// keychain (the test runner starts a private Secret Service), state.json and the event log on a temp home.

let op: RunningOidcProvider;
before(async () => {
  op = await startOidcProvider({ accessTokenTtl: 60 });
});
after(() => op.close());

function depsFor(home: string, env: Record<string, string | undefined> = {}): Deps {
  return oidcDeps(op, home, { env });
}
const seed = (deps: Deps, name: string) => seedOidcConnection(deps, op, name) as Promise<{ access_token: string; refresh_token: string }>;
const events = loggedEvents;
const userinfo = (token: string) => userinfoStatus(op, token);
const refreshGrants = () => refreshGrantCount(op);

describe('refreshUnderLock', () => {
  it('refreshes once, writes the whole new bundle, bumps the generation and logs a refresh event with fingerprints', async () => {
    const deps = depsFor(tempHome());
    const old = await seed(deps, 'svc');
    const before = refreshGrants();
    const result = await refreshUnderLock(deps, { conn: 'svc', trigger: 'manual' });
    assert.deepEqual(refreshGrants(), { ok: before.ok + 1, error: before.error });
    assert.equal(result.adopted, false);

    const stored = await deps.tokens().read('svc');
    assert.ok(stored?.refresh_token && stored.refresh_token !== old.refresh_token, 'the rotated refresh token is stored');
    assert.notEqual(stored.access_token, old.access_token);
    assert.equal(await userinfo(stored.access_token), 200);

    const connection = deps.state().get('svc');
    assert.equal(connection?.generation, 1);
    assert.equal(connection?.accessTokenFp, fingerprint(stored.access_token));
    assert.equal(connection?.refreshTokenFp, fingerprint(stored.refresh_token));
    assert.equal(connection?.accessTokenExpiresAt, stored.expires_at);
    assert.ok(Date.parse(stored.expires_at ?? '') > Date.now() + 50_000, 'expiry comes from expires_in (60 s)');
    assert.ok(connection?.lastRefreshAt);
    assert.equal(connection?.clientSecretFp, fingerprint(op.clientSecret()));

    const refresh = events(deps).filter((e) => e.event === 'refresh');
    assert.equal(refresh.length, 1);
    assert.equal(refresh[0]?.trigger, 'manual');
    assert.equal(refresh[0]?.outcome, 'ok');
    assert.equal(refresh[0]?.rt_fp, fingerprint(old.refresh_token));
    assert.equal(refresh[0]?.new_rt_fp, fingerprint(stored.refresh_token));
    assert.equal(refresh[0]?.at_fp, fingerprint(stored.access_token));
    assert.equal(refresh[0]?.generation, 1);
    assert.equal(typeof refresh[0]?.lock_wait_ms, 'number');
    assert.equal(typeof refresh[0]?.duration_ms, 'number');
    const secret = events(deps).filter((e) => e.event === 'secret');
    assert.deepEqual(secret.map((e) => [e.source, e.fp]), [[`env:${seededSecretEnv}`, fingerprint(op.clientSecret())]]);
    assert.ok(!existsSync(refreshLockPath(deps.paths, 'svc')), 'the lock is released');
  });

  it('uses the token another process stored while this one waited, without asking the provider', async () => {
    const deps = depsFor(tempHome());
    const old = await seed(deps, 'svc');
    // Another process refreshes first (its own deps, same home).
    const other = depsFor(deps.paths.root);
    await refreshUnderLock(other, { conn: 'svc', trigger: 'proactive' });
    const before = refreshGrants();
    const result = await refreshUnderLock(deps, { conn: 'svc', trigger: 'proactive', seenAccessTokenFp: fingerprint(old.access_token) });
    assert.deepEqual(refreshGrants(), before, 'no request reached the provider');
    assert.equal(result.adopted, true);
    assert.equal(result.bundle.access_token, (await other.tokens().read('svc'))?.access_token);
    const adopted = events(deps).filter((e) => e.event === 'refresh' && e.adopted === true);
    assert.equal(adopted.length, 1);
    assert.equal(adopted[0]?.rt_fp, undefined, 'nothing was presented');
    assert.equal(adopted[0]?.at_fp, fingerprint(result.bundle.access_token));
  });

  it('serialises concurrent refreshes in one home: one reaches the provider, the rest adopt its token', async () => {
    const home = tempHome();
    const first = depsFor(home);
    const old = await seed(first, 'svc');
    const seen = fingerprint(old.access_token);
    const before = refreshGrants();
    const results = await Promise.all(
      Array.from({ length: 6 }, () => refreshUnderLock(depsFor(home), { conn: 'svc', trigger: 'proactive', seenAccessTokenFp: seen })),
    );
    assert.deepEqual(refreshGrants(), { ok: before.ok + 1, error: before.error });
    assert.equal(new Set(results.map((r) => r.bundle.access_token)).size, 1);
    assert.equal(results.filter((r) => r.adopted).length, 5);
    assert.equal(await userinfo(results[0]?.bundle.access_token ?? ''), 200);
    assert.equal(first.state().get('svc')?.generation, 1);
  });

  it('calls invalid_grant with an unchanged store a revocation: lastError set, exit 3 (login needed)', async () => {
    const deps = depsFor(tempHome());
    const old = await seed(deps, 'svc');
    // Someone outside the broker uses the refresh token, so the stored one is consumed at the provider.
    const config = await oauthConfiguration({ issuer: op.issuer, discovery: true }, { clientId: op.clientId, clientSecret: op.clientSecret() });
    await refreshGrant(config, old.refresh_token);
    await assert.rejects(refreshUnderLock(deps, { conn: 'svc', trigger: 'proactive' }), (err: unknown) => {
      assert.ok(err instanceof RefreshRefusedError);
      assert.equal(err.exitCode, exitCodes.loginNeeded);
      assert.match(err.hint ?? '', /broker login svc/);
      assert.ok(!err.message.includes(old.refresh_token));
      return true;
    });
    const connection = deps.state().get('svc');
    assert.equal(connection?.lastError?.error, 'invalid_grant');
    assert.equal(connection?.lastError?.status, 400);
    assert.equal(connection?.generation, 0);
    const failed = events(deps).filter((e) => e.event === 'refresh' && e.outcome === 'error');
    assert.equal(failed.length, 1);
    assert.equal(failed[0]?.error, 'invalid_grant');
    assert.equal(failed[0]?.rt_fp, fingerprint(old.refresh_token));
    assert.equal(failed[0]?.new_rt_fp, undefined, 'not a lost race');
    const log = readFileSync(deps.paths.events, 'utf8');
    assert.ok(!log.includes(old.refresh_token) && !log.includes(old.access_token) && !log.includes(op.clientSecret()));
    assert.ok(!existsSync(refreshLockPath(deps.paths, 'svc')), 'the lock is released after a failure too');
  });

  it('waits for a lock held by someone else and reports the wait', async () => {
    const home = tempHome();
    const deps = depsFor(home);
    await seed(deps, 'svc');
    const { acquireRefreshLock } = await import('../../src/adapters/refresh-lock.js');
    const held = await acquireRefreshLock(deps.paths, 'svc', {});
    const pending = refreshUnderLock(deps, { conn: 'svc', trigger: 'manual' });
    // The point is a lock held for a known time, so the hold is a deliberate timer, not a wait for a result.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(events(deps).filter((e) => e.event === 'refresh'), [], 'nothing refreshed while the lock was held');
    await held.release();
    await pending;
    const refresh = events(deps).find((e) => e.event === 'refresh');
    assert.ok(Number(refresh?.lock_wait_ms) >= 250, `lock_wait_ms ${refresh?.lock_wait_ms}`);
  });
});
