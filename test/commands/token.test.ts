import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startOidcProvider, type RunningOidcProvider } from '../../fixtures/providers/oidc-provider-server.js';
import { oauthConfiguration, refreshGrant } from '../../src/adapters/oauth-client.js';
import { refreshIsDue, tokenCommand } from '../../src/commands/token.js';
import { logoutCommand } from '../../src/commands/logout.js';
import { refreshCommand } from '../../src/commands/refresh.js';
import { BrokerError } from '../../src/core/broker-error.js';
import { exitCodes } from '../../src/core/exit-codes.js';
import { fingerprint } from '../../src/core/fingerprint.js';
import type { Connection } from '../../src/core/state-schema.js';
import { loggedEvents, oidcDeps, refreshGrantCount, seedOidcConnection, userinfoStatus } from '../support/oidc-connection.js';
import { tempHome } from '../support/temp-home.js';

describe('refreshIsDue (75% of the access token life)', () => {
  const t0 = Date.parse('2026-11-22T03:00:00.000Z');
  const at = (s: number) => new Date(t0 + s * 1000).toISOString();
  const connection = (fields: Partial<Connection>): Connection =>
    ({ name: 'c', provider: 'oidc', kind: 'service', scopes: [], createdAt: at(-86_400), generation: 0, acknowledgements: [], ...fields }) as Connection;
  const rows: Array<[string, Partial<Connection>, string | undefined, number, boolean]> = [
    ['fresh token, 74% gone', { lastRefreshAt: at(0) }, at(100), 74, false],
    ['75% gone', { lastRefreshAt: at(0) }, at(100), 75, true],
    ['expired', { lastRefreshAt: at(0) }, at(100), 101, true],
    ['no expiry: never', { lastRefreshAt: at(0) }, undefined, 10_000, false],
    ['life from the latest of login and refresh', { lastRefreshAt: at(-500), refreshTokenObtainedAt: at(0) }, at(100), 50, false],
    ['obtained after the expiry (pasted an expired token): due', { refreshTokenObtainedAt: at(200) }, at(100), 150, true],
  ];
  for (const [label, fields, expiresAt, nowS, due] of rows) {
    it(label, () => {
      assert.equal(refreshIsDue(connection(fields), { access_token: 'x', expires_at: expiresAt }, new Date(t0 + nowS * 1000)), due);
    });
  }
});

describe('broker token / refresh / logout against the local oidc-provider', () => {
  let op: RunningOidcProvider;
  before(async () => {
    op = await startOidcProvider({ accessTokenTtl: 60 });
  });
  after(() => op.close());

  it('hands out a fresh token as is: stdout is the token, a token event, lastUsedAt; nothing reaches the provider', async () => {
    const deps = oidcDeps(op, tempHome());
    const bundle = await seedOidcConnection(deps, op, 'svc', { expiresAt: new Date(Date.now() + 3_600_000) });
    const grants = refreshGrantCount(op);
    assert.equal(await tokenCommand.run({ name: 'svc' }, deps), exitCodes.ok);
    assert.equal(deps.io.out(), `${bundle.access_token}\n`);
    assert.deepEqual(refreshGrantCount(op), grants);
    const handed = loggedEvents(deps).filter((e) => e.event === 'token');
    assert.deepEqual(handed.map((e) => [e.at_fp, e.generation]), [[fingerprint(bundle.access_token), 0]]);
    assert.ok(deps.state().get('svc')?.lastUsedAt);
  });

  it('refreshes a token past 75% of its life first (trigger proactive) and hands out the new one', async () => {
    const deps = oidcDeps(op, tempHome());
    const old = await seedOidcConnection(deps, op, 'svc');
    assert.equal(await tokenCommand.run({ name: 'svc' }, deps), exitCodes.ok);
    const token = deps.io.out().trim();
    assert.notEqual(token, old.access_token);
    assert.equal(await userinfoStatus(op, token), 200);
    const refresh = loggedEvents(deps).filter((e) => e.event === 'refresh');
    assert.deepEqual(refresh.map((e) => [e.trigger, e.outcome, e.at_fp]), [['proactive', 'ok', fingerprint(token)]]);
  });

  it('exits 3 with the login hint when the grant is revoked, and when there is no token at all', async () => {
    const deps = oidcDeps(op, tempHome());
    const old = await seedOidcConnection(deps, op, 'svc');
    const config = await oauthConfiguration({ issuer: op.issuer, discovery: true }, { clientId: op.clientId, clientSecret: op.clientSecret() });
    await refreshGrant(config, old.refresh_token ?? '');
    await assert.rejects(tokenCommand.run({ name: 'svc' }, deps), (err: unknown) => err instanceof BrokerError && err.exitCode === exitCodes.loginNeeded && /broker login svc/.test(err.hint ?? ''));
    assert.equal(deps.io.out(), '', 'nothing on stdout');

    assert.equal(await logoutCommand.run({ name: 'svc' }, deps), exitCodes.ok);
    assert.equal(await deps.tokens().read('svc'), null, 'the bundle is gone');
    assert.ok(deps.state().get('svc'), 'the connection stays');
    assert.equal(deps.state().get('svc')?.accessTokenFp, undefined);
    await assert.rejects(tokenCommand.run({ name: 'svc' }, deps), (err: unknown) => err instanceof BrokerError && err.exitCode === exitCodes.loginNeeded && /broker login svc/.test(err.hint ?? ''));
  });

  it('exits 3 for an expired token without a refresh token, and hands out an unexpired one', async () => {
    const deps = oidcDeps(op, tempHome());
    await seedOidcConnection(deps, op, 'expired', { withRefreshToken: false });
    await assert.rejects(tokenCommand.run({ name: 'expired' }, deps), (err: unknown) => err instanceof BrokerError && err.exitCode === exitCodes.loginNeeded);
    const live = await seedOidcConnection(deps, op, 'live', { withRefreshToken: false, expiresAt: new Date(Date.now() + 1000) });
    assert.equal(await tokenCommand.run({ name: 'live' }, deps), exitCodes.ok);
    assert.equal(deps.io.out(), `${live.access_token}\n`);
  });

  it('broker refresh --json forces a refresh under the lock and reports it', async () => {
    const deps = oidcDeps(op, tempHome());
    await seedOidcConnection(deps, op, 'svc', { expiresAt: new Date(Date.now() + 3_600_000) });
    const grants = refreshGrantCount(op);
    assert.equal(await refreshCommand.run({ name: 'svc', json: true }, deps), exitCodes.ok);
    const report = JSON.parse(deps.io.out());
    assert.equal(report.outcome, 'ok');
    assert.equal(report.adopted, false);
    assert.equal(report.generation, 1);
    assert.equal(report.accessTokenFp, fingerprint((await deps.tokens().read('svc'))?.access_token ?? ''));
    assert.deepEqual(refreshGrantCount(op), { ok: grants.ok + 1, error: grants.error });
    assert.equal(loggedEvents(deps).find((e) => e.event === 'refresh')?.trigger, 'manual');
  });
});

describe('broker token keeps personal credentials out of CI', () => {
  let op: RunningOidcProvider;
  before(async () => {
    op = await startOidcProvider({ accessTokenTtl: 3600 });
  });
  after(() => op.close());

  const personalHome = async (env: Record<string, string | undefined>) => {
    const deps = oidcDeps(op, tempHome(), { env });
    const bundle = await seedOidcConnection(deps, op, 'mine', { expiresAt: new Date(Date.now() + 3_600_000) });
    await deps.state().update('mine', (c) => ({ ...c, kind: 'personal' }));
    return { deps, bundle };
  };

  for (const [ci, value] of [['CI', 'true'], ['GITHUB_ACTIONS', 'true'], ['GITLAB_CI', 'true'], ['BUILDKITE', 'true'], ['JENKINS_URL', 'https://jenkins.example/']] as const) {
    it(`${ci}=${value}: refused (exit 1, the fix named, nothing on stdout), and the refusal is logged`, async () => {
      const { deps } = await personalHome({ CI: undefined, [ci]: value });
      await assert.rejects(
        tokenCommand.run({ name: 'mine' }, deps),
        (err: unknown) => err instanceof BrokerError && err.exitCode === exitCodes.failed && /personal connection.*runs in CI/.test(err.message) && /service connection/.test(err.hint ?? ''),
      );
      assert.equal(deps.io.out(), '');
      const [event] = loggedEvents(deps).filter((e) => e.event === 'token');
      assert.deepEqual([event?.outcome, event?.reason, event?.ci, event?.at_fp], ['refused', 'personal-in-ci', true, undefined]);
    });
  }

  it('--allow-personal-in-ci hands it out, warns, and the event says it was allowed', async () => {
    const { deps, bundle } = await personalHome({ CI: 'true' });
    assert.equal(await tokenCommand.run(tokenCommand.parse({ 'allow-personal-in-ci': true }, ['mine']), deps), exitCodes.ok);
    assert.equal(deps.io.out(), `${bundle.access_token}\n`);
    assert.match(deps.io.err(), /handed out because of --allow-personal-in-ci \(logged\)/);
    const [event] = loggedEvents(deps).filter((e) => e.event === 'token');
    assert.deepEqual([event?.allowed, event?.at_fp, event?.ci], ['personal-in-ci', fingerprint(bundle.access_token), true]);
  });

  it('outside CI, and a service connection in CI, are handed out as ever', async () => {
    const { deps: outside, bundle } = await personalHome({ CI: undefined, GITHUB_ACTIONS: undefined });
    assert.equal(await tokenCommand.run({ name: 'mine' }, outside), exitCodes.ok);
    assert.equal(outside.io.out(), `${bundle.access_token}\n`);
    const service = oidcDeps(op, tempHome(), { env: { CI: 'true' } });
    const serviceBundle = await seedOidcConnection(service, op, 'svc', { expiresAt: new Date(Date.now() + 3_600_000) });
    assert.equal(await tokenCommand.run({ name: 'svc' }, service), exitCodes.ok);
    assert.equal(service.io.out(), `${serviceBundle.access_token}\n`);
  });
});
