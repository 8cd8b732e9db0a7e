import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startOidcProvider, type RunningOidcProvider } from '../../../fixtures/providers/oidc-provider-server.js';
import { refreshUnderLock } from '../../../src/adapters/refresh-under-lock.js';
import { ConnectionUnavailableError, TokenKeeper } from '../../../src/commands/serve/token-keeper.js';
import { fingerprint } from '../../../src/core/fingerprint.js';
import { loggedEvents, oidcDeps, refreshGrantCount, seedOidcConnection } from '../../support/oidc-connection.js';
import { tempHome } from '../../support/temp-home.js';

// serve's token keeper in-process, on a real home and keychain, against the real oidc-provider.

describe('TokenKeeper', () => {
  let op: RunningOidcProvider;
  before(async () => {
    op = await startOidcProvider({ accessTokenTtl: 60 });
  });
  after(() => op.close());

  it('concurrent callers at expiry share one refresh; later calls are served from memory', async () => {
    const deps = oidcDeps(op, tempHome());
    const seeded = await seedOidcConnection(deps, op, 'work');
    const keeper = new TokenKeeper(deps);
    const before = refreshGrantCount(op).ok;
    const connection = deps.state().get('work')!;
    const tokens = await Promise.all(Array.from({ length: 20 }, () => keeper.token(connection, 'bot')));
    assert.equal(refreshGrantCount(op).ok - before, 1);
    assert.equal(new Set(tokens.map((t) => t.accessToken)).size, 1);
    assert.notEqual(tokens[0]?.accessToken, seeded.access_token);
    const refreshes = loggedEvents(deps).filter((e) => e.event === 'refresh');
    assert.deepEqual(refreshes.map((e) => [e.outcome, e.agent]), [['ok', 'bot']]);
    const again = await keeper.token(deps.state().get('work')!, 'bot');
    assert.equal(again.accessToken, tokens[0]?.accessToken);
    assert.equal(refreshGrantCount(op).ok - before, 1);
  });

  it('another process refreshed: the store\'s newer token is used, on the next call and after a 401 with the old one', async () => {
    const home = tempHome();
    const deps = oidcDeps(op, home);
    await seedOidcConnection(deps, op, 'work', { expiresAt: new Date(Date.now() + 3_600_000) });
    const keeper = new TokenKeeper(deps);
    const old = await keeper.token(deps.state().get('work')!, 'bot');
    // A CLI process on the same home refreshes (manual), under the shared lock.
    const cli = oidcDeps(op, home);
    const refreshed = await refreshUnderLock(cli, { conn: 'work', trigger: 'manual' });
    const grants = refreshGrantCount(op).ok;
    const renewed = await keeper.renewAfter401(deps.state().get('work')!, old.fp, 'bot');
    assert.equal(renewed?.accessToken, refreshed.bundle.access_token);
    assert.equal(refreshGrantCount(op).ok, grants, 'adopted, not refreshed again');
    const next = await keeper.token(deps.state().get('work')!, 'bot');
    assert.equal(next.fp, fingerprint(refreshed.bundle.access_token));
  });

  it('a 401 on the newest token right after its refresh does not refresh again (no storm)', async () => {
    const deps = oidcDeps(op, tempHome());
    await seedOidcConnection(deps, op, 'work');
    const keeper = new TokenKeeper(deps);
    const token = await keeper.token(deps.state().get('work')!, 'bot');
    const grants = refreshGrantCount(op).ok;
    assert.equal(await keeper.renewAfter401(deps.state().get('work')!, token.fp, 'bot'), undefined);
    assert.equal(refreshGrantCount(op).ok, grants);
  });

  it('a lasting failure backs off without calling the provider, until the connection changes', async () => {
    const deps = oidcDeps(op, tempHome());
    await seedOidcConnection(deps, op, 'work');
    // The refresh token is refused: a bundle whose refresh token the provider never issued.
    const bundle = (await deps.tokens().read('work'))!;
    await deps.tokens().write('work', { ...bundle, refresh_token: 'not-a-refresh-token-of-this-provider' });
    const keeper = new TokenKeeper(deps, { random: () => 1 });
    const requests = op.stats().tokenRequests;
    for (let i = 0; i < 5; i++) {
      await assert.rejects(keeper.token(deps.state().get('work')!, 'bot'), (err: ConnectionUnavailableError) => err instanceof ConnectionUnavailableError && err.lasting && err.failureCause === 'invalid_grant');
    }
    assert.equal(op.stats().tokenRequests - requests, 1, 'one refresh reached the provider');
    assert.deepEqual(keeper.failures().map((f) => [f.conn, f.lasting]), [['work', true]]);
    // A login lands: new tokens and a new generation in state.
    await seedOidcConnection(deps, op, 'work2', { expiresAt: new Date(Date.now() + 3_600_000) });
    const fresh = (await deps.tokens().read('work2'))!;
    await deps.tokens().write('work', fresh);
    await deps.state().update('work', (c) => ({ ...c, generation: c.generation + 1, accessTokenFp: fingerprint(fresh.access_token), refreshTokenFp: fingerprint(fresh.refresh_token!), lastError: undefined, lastRefreshAt: new Date().toISOString(), accessTokenExpiresAt: fresh.expires_at }));
    const back = await keeper.token(deps.state().get('work')!, 'bot');
    assert.equal(back.accessToken, fresh.access_token);
    assert.deepEqual(keeper.failures(), []);
  });

  it('a passing failure hands out the still valid token with a warning, and backs off', async () => {
    const down = await startOidcProvider({ accessTokenTtl: 60 });
    const deps = oidcDeps(down, tempHome());
    // Refresh due (75% of its life gone) but not expired.
    const seeded = await seedOidcConnection(deps, down, 'work', { expiresAt: new Date(Date.now() + 60_000) });
    await deps.state().update('work', (c) => ({ ...c, createdAt: new Date(Date.now() - 3_600_000).toISOString() }));
    await down.close();
    const keeper = new TokenKeeper(deps);
    const first = await keeper.token(deps.state().get('work')!, 'bot');
    assert.equal(first.accessToken, seeded.access_token);
    assert.match(first.warning ?? '', /.+/);
    const second = await keeper.token(deps.state().get('work')!, 'bot');
    assert.equal(second.accessToken, seeded.access_token);
    assert.equal(loggedEvents(deps).filter((e) => e.event === 'refresh').length, 1, 'one attempt, then the backoff');
  });
});
