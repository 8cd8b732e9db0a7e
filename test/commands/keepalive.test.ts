import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startOidcProvider, type RunningOidcProvider } from '../../fixtures/providers/oidc-provider-server.js';
import { oauthConfiguration, refreshGrant } from '../../src/adapters/oauth-client.js';
import { keepaliveCommand } from '../../src/commands/keepalive.js';
import { exitCodes } from '../../src/core/exit-codes.js';
import { loggedEvents, oidcDeps, refreshGrantCount, seedOidcConnection } from '../support/oidc-connection.js';
import { tempHome } from '../support/temp-home.js';

let op: RunningOidcProvider;
before(async () => {
  op = await startOidcProvider({ accessTokenTtl: 60 });
});
after(() => op.close());

const day = 86_400_000;

describe('broker keepalive', () => {
  it('refreshes only connections idle longer than --idle-over, one line each, exit 1 when one failed', async () => {
    const home = tempHome();
    const seededAt = new Date();
    const setup = oidcDeps(op, home, { now: () => seededAt });
    await seedOidcConnection(setup, op, 'idle');
    const revoked = await seedOidcConnection(setup, op, 'revoked');
    await seedOidcConnection(setup, op, 'pasted', { withRefreshToken: false });
    // Someone used the refresh token of "revoked" outside the broker: its stored one is dead.
    const config = await oauthConfiguration({ issuer: op.issuer, discovery: true }, { clientId: op.clientId, clientSecret: op.clientSecret() });
    await refreshGrant(config, revoked.refresh_token ?? '');

    // Eight days later, a cron run with the default window (7d).
    const later = new Date(seededAt.getTime() + 8 * day);
    const grants = refreshGrantCount(op);
    const deps = oidcDeps(op, home, { now: () => later });
    assert.equal(await keepaliveCommand.run(keepaliveCommand.parse({}, []), deps), exitCodes.failed);
    const lines = deps.io.out().trim().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0] ?? '', /^idle: refreshed: idle 8 days; generation 1$/);
    assert.match(lines[1] ?? '', /^pasted: skipped: no refresh token/);
    assert.match(lines[2] ?? '', /^revoked: failed: .*invalid_grant.*broker login revoked/);
    assert.deepEqual(refreshGrantCount(op), { ok: grants.ok + 1, error: grants.error + 1 });
    assert.deepEqual(
      loggedEvents(deps).filter((e) => e.event === 'refresh').map((e) => [e.conn, e.trigger, e.outcome]),
      [['idle', 'keepalive', 'ok'], ['revoked', 'keepalive', 'error']],
    );

    // Right after, nothing is idle any more (the failed one is still failing).
    const json = oidcDeps(op, home, { now: () => new Date(later.getTime() + 1000) });
    assert.equal(await keepaliveCommand.run(keepaliveCommand.parse({ json: true, 'idle-over': '1d' }, []), json), exitCodes.failed);
    const report = JSON.parse(json.io.out());
    assert.equal(report.idleOver, '1d');
    assert.deepEqual(report.connections.map((c: { conn: string; result: string }) => [c.conn, c.result]), [['idle', 'not-idle'], ['pasted', 'skipped'], ['revoked', 'failed']]);
  });

  it('rejects a window that is not a duration', () => {
    assert.throws(() => keepaliveCommand.parse({ 'idle-over': 'soon' }, []), /not a duration/);
    assert.throws(() => keepaliveCommand.parse({ 'idle-over': 'all' }, []), /not a duration/);
    assert.throws(() => keepaliveCommand.parse({}, ['extra']), /takes no NAME/);
  });
});
