import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { approveDevice, mintTokens, startOidcProvider, type RunningOidcProvider } from '../../fixtures/providers/oidc-provider-server.js';
import { runBroker } from '../support/run-broker.js';
import { startBroker } from '../support/live-broker.js';
import { fileSha256, keychainEntry, readEvents } from '../support/home-files.js';
import { tempHome } from '../support/temp-home.js';
import { connectOidcAccounts } from '../support/oidc-connection.js';

// `broker login --device` (the built binary, piped) against the real oidc-provider, tokens in the real keychain.

const alice = 'alice@example.test';
const mallory = 'mallory@example.test';


describe('broker login --device against oidc-provider', () => {
  let op: RunningOidcProvider;
  const home = tempHome();
  const env = (): Record<string, string> => ({ BROKER_HOME: home, OIDC_SECRET: op.clientSecret() });

  before(async () => {
    op = await startOidcProvider({ accessTokenTtl: 120 });
    await connectOidcAccounts(op, home, ['work', 'guarded'], alice);
  });
  after(() => op.close());

  test('approved as the right account: tokens land in the keychain, state and the log record the login, the token works', async () => {
    const login = startBroker(['login', 'work', '--device'], { env: env() });
    const [, userCode] = await login.waitFor(/enter the code (\S+)/);
    assert.match(await login.waitFor(/expires in/).then((m) => m.input ?? ''), /visit http:\/\/127\.0\.0\.1:\d+\/device/);
    await approveDevice(op.issuer, userCode!, alice);
    const done = await login.done;
    assert.equal(done.code, 0, done.stderr);
    assert.equal(done.stdout.trim(), `logged in work as ${alice}`);

    const bundle = JSON.parse(keychainEntry(home, 'work') ?? 'null') as { access_token: string; refresh_token?: string } | null;
    assert.ok(bundle?.access_token, 'the keychain holds the new bundle');
    assert.ok(bundle.refresh_token, 'offline_access brought a refresh token');
    const state = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')) as { connections: Record<string, Record<string, unknown>> };
    const conn = state.connections.work!;
    assert.equal(conn.generation, 1);
    assert.ok(conn.refreshTokenObtainedAt);
    assert.match(String(conn.accessTokenFp), /^[0-9a-f]{12}$/);
    assert.equal(conn.lastError, undefined);
    assert.deepEqual(readEvents(home).filter((e) => e.event === 'login').at(-1), { ...readEvents(home).filter((e) => e.event === 'login').at(-1), event: 'login', conn: 'work', method: 'device', outcome: 'ok', identity: alice });

    const me = await runBroker(['api', 'work', '/me'], { env: env() });
    assert.equal(me.code, 0, me.stderr);
    assert.equal((JSON.parse(me.stdout) as { sub: string }).sub, alice, 'the stored token works at the provider');
    const token = await runBroker(['token', 'work'], { env: env() });
    assert.equal(token.code, 0, token.stderr);
    assert.equal(token.stdout.trim(), bundle.access_token, 'broker token hands out what the login stored');

    for (const text of [done.stdout, done.stderr, readFileSync(join(home, 'logs', 'events.jsonl'), 'utf8'), readFileSync(join(home, 'state.json'), 'utf8')]) {
      assert.ok(!text.includes(bundle.access_token) && !text.includes(bundle.refresh_token), 'a token leaked');
    }
  });

  test('approved as the wrong account: refused naming both, nothing stored, state.json byte-identical', async () => {
    const stateBefore = fileSha256(join(home, 'state.json'));
    assert.equal(keychainEntry(home, 'guarded'), null);
    const login = startBroker(['login', 'guarded', '--device'], { env: env() });
    const [, userCode] = await login.waitFor(/enter the code (\S+)/);
    await approveDevice(op.issuer, userCode!, mallory);
    const done = await login.done;
    assert.equal(done.code, 1);
    assert.match(done.stderr, new RegExp(`logged in as ${mallory}, but this connection must be ${alice}`));
    assert.equal(done.stdout, '');
    assert.equal(keychainEntry(home, 'guarded'), null, 'no keychain entry was written');
    assert.equal(fileSha256(join(home, 'state.json')), stateBefore, 'state.json unchanged');
    const event = readEvents(home).filter((e) => e.event === 'login').at(-1);
    assert.equal(event?.outcome, 'refused');
    assert.equal(event?.identity, mallory);
    assert.equal(event?.conn, 'guarded');
  });

  test('re-login keeps the connection\'s scopes and adds --scopes', async () => {
    const login = startBroker(['login', 'work', '--device', '--scopes', 'profile'], { env: env() });
    const [, userCode] = await login.waitFor(/enter the code (\S+)/);
    await approveDevice(op.issuer, userCode!, alice);
    const done = await login.done;
    assert.equal(done.code, 0, done.stderr);
    const state = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')) as { connections: Record<string, { scopes: string[]; generation: number }> };
    assert.deepEqual(state.connections.work?.scopes, ['openid', 'email', 'offline_access', 'profile']);
    assert.equal(state.connections.work?.generation, 2);
  });

  test('broker api: a 401 (access token no longer accepted) refreshes once under the lock and retries', async () => {
    // A held access token the provider rejects, next to a good refresh token: what a revoked or rotated-away token looks like.
    const real = await mintTokens(op.issuer, { clientId: op.clientId, clientSecret: op.clientSecret() }, alice);
    const connect = await runBroker(
      ['connect', 'agent', '--provider', 'oidc', '--issuer', op.issuer, '--client-id', op.clientId, '--client-secret-from', 'env:OIDC_SECRET', '--account', alice, '--token-stdin'],
      { env: env(), input: JSON.stringify({ access_token: 'rejected-access-token', refresh_token: real.refresh_token, expires_in: 3600 }) },
    );
    assert.equal(connect.code, 0, connect.stderr);
    const me = await runBroker(['api', 'agent', '/me'], { env: env() });
    assert.equal(me.code, 0, me.stderr);
    assert.equal((JSON.parse(me.stdout) as { sub: string }).sub, alice);
    assert.match(me.stderr, /HTTP 401 with token [0-9a-f]{12}; refreshing and retrying once/);
    const all = readEvents(home);
    const requests = all.filter((e) => e.event === 'request' && e.conn === 'agent');
    assert.deepEqual(requests.map((e) => e.status), [401, 200]);
    assert.notEqual(requests[0]?.at_fp, requests[1]?.at_fp);
    const refresh = all.filter((e) => e.event === 'refresh' && e.conn === 'agent');
    assert.deepEqual(refresh.map((e) => [e.trigger, e.outcome]), [['reactive', 'ok']]);
  });
});
