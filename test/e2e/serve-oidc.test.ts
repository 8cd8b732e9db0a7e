import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { mintTokens, startOidcProvider, type RunningOidcProvider } from '../../fixtures/providers/oidc-provider-server.js';
import { createDeps } from '../../src/commands/deps.js';
import { fingerprint } from '../../src/core/fingerprint.js';
import { capturedIo } from '../support/captured-io.js';
import { readEvents } from '../support/home-files.js';
import { runBroker } from '../support/run-broker.js';
import { eventually, startServe, type ServeProcess } from '../support/serve-process.js';
import { tempHome } from '../support/temp-home.js';

// `broker serve` (the built binary) against the real oidc-provider: rotation on, reuse revokes the
// grant, the provider's own counters as the ground truth. Issue 8 "must show".

const secretEnv = 'SERVE_TEST_CLIENT_SECRET';
const callers = 32;
let op: RunningOidcProvider;
const home = tempHome();
const env = (): Record<string, string> => ({ BROKER_HOME: home, [secretEnv]: op.clientSecret() });
/** Every secret the test saw: none may appear in the home, the log or any output. */
const secrets = new Set<string>();
let key = '';
let ciKey = '';
let serve: ServeProcess;
let revokedTokens: { refresh_token: string };

async function connect(name: string, options: { expiresAt: Date; kind?: 'service' | 'personal' }): Promise<{ access_token: string; refresh_token: string }> {
  const tokens = await mintTokens(op.issuer, { clientId: op.clientId, clientSecret: op.clientSecret() }, 'alice@example.test');
  secrets.add(tokens.access_token).add(tokens.refresh_token);
  const input = JSON.stringify({ ...tokens, expires_in: undefined, expires_at: options.expiresAt.toISOString() });
  const r = await runBroker(
    ['connect', name, '--provider', 'oidc', '--issuer', op.issuer, '--client-id', op.clientId, '--client-secret-from', `env:${secretEnv}`, '--account', 'alice@example.test', '--kind', options.kind ?? 'service', '--token-stdin'],
    { env: env(), input },
  );
  assert.equal(r.code, 0, r.stderr);
  return tokens;
}

async function addAgent(name: string, conns: string, ...flags: string[]): Promise<string> {
  const r = await runBroker(['agent', 'add', name, '--conn', conns, ...flags], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  const printed = r.stdout.trim();
  assert.match(printed, /^brk_[A-Za-z0-9_-]{43}$/, 'stdout is the key and nothing else');
  secrets.add(printed);
  return printed;
}

const call = (path: string, options: { key?: string; authorization?: string; method?: string } = {}): Promise<Response> =>
  fetch(`${serve.url}${path}`, { method: options.method ?? 'GET', headers: options.authorization !== undefined ? { authorization: options.authorization } : options.key ? { authorization: `Bearer ${options.key}` } : {} });

async function revoke(token: string): Promise<void> {
  const discovery = (await (await fetch(`${op.issuer}/.well-known/openid-configuration`)).json()) as { revocation_endpoint: string };
  const response = await fetch(discovery.revocation_endpoint, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${op.clientId}:${op.clientSecret()}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
  });
  assert.equal(response.status, 200);
}

const refreshGrants = () => op.stats().grants.refresh_token ?? { ok: 0, error: 0 };
const events = () => readEvents(home);

before(async () => {
  op = await startOidcProvider({ accessTokenTtl: 60 });
  secrets.add(op.clientSecret());
  await connect('work', { expiresAt: new Date(Date.now() - 5_000) });
  await connect('personal-work', { expiresAt: new Date(Date.now() + 3_600_000), kind: 'personal' });
  revokedTokens = await connect('revoked', { expiresAt: new Date(Date.now() - 5_000) });
  key = await addAgent('deploy-bot', 'work,personal-work,revoked');
  serve = await startServe(env());
});
after(async () => {
  await serve.stop();
  await op.close();
});

describe('broker serve against the real oidc-provider', () => {
  it(`${callers} concurrent proxied calls at expiry: all 200, exactly one refresh reaches the provider`, async () => {
    const grantsBefore = refreshGrants();
    const userinfoBefore = op.stats().userinfo.ok;
    const answers = await Promise.all(Array.from({ length: callers }, () => call('/work/me', { key })));
    const bodies = await Promise.all(answers.map((a) => a.json() as Promise<{ sub?: string }>));
    assert.deepEqual(answers.map((a) => a.status), Array(callers).fill(200));
    assert.ok(bodies.every((b) => b.sub === 'alice@example.test'));
    const grantsAfter = refreshGrants();
    assert.deepEqual({ ok: grantsAfter.ok - grantsBefore.ok, error: grantsAfter.error - grantsBefore.error }, { ok: 1, error: 0 }, 'refresh grants counted by the provider');
    assert.equal(op.stats().userinfo.ok - userinfoBefore, callers, 'every call reached userinfo once');

    const refreshes = events().filter((e) => e.event === 'refresh');
    assert.equal(refreshes.length, 1);
    assert.equal(refreshes[0]?.outcome, 'ok');
    assert.equal(refreshes[0]?.agent, 'deploy-bot', 'the refresh names the agent whose call needed it');
    const requests = events().filter((e) => e.event === 'request' && e.conn === 'work');
    assert.equal(requests.length, callers, 'every call is in the log by the time its caller has the answer');
    for (const r of requests) {
      assert.equal(r.agent, 'deploy-bot');
      assert.equal(r.status, 200);
      assert.equal(r.path, '/me');
      assert.equal(r.target, new URL(op.issuer).host);
      assert.equal(typeof r.duration_ms, 'number');
      assert.equal(typeof r.response_bytes, 'number');
    }
    const state = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')) as { connections: Record<string, { accessTokenFp: string; generation: number }> };
    assert.deepEqual(new Set(requests.map((r) => r.at_fp)), new Set([state.connections.work?.accessTokenFp]), 'all calls used the refreshed token');
    assert.equal(state.connections.work?.generation, 1);
  });

  it('keyless and wrong-key calls: 401 from the broker, nothing upstream', async () => {
    const before = op.stats();
    const tokenOfWork = (await (await call('/v1/token/work', { key })).json()) as { access_token: string };
    secrets.add(tokenOfWork.access_token);
    const attempts = [
      call('/work/me'),
      call('/work/me', { authorization: 'Bearer brk_not-a-key-of-this-broker-000000000000000000' }),
      call('/work/me', { authorization: `Bearer ${tokenOfWork.access_token}` }), // the provider's own token is no broker key
      call('/work/me', { authorization: `Basic ${Buffer.from(`x:${key}`).toString('base64')}` }),
      call('/v1/token/work'),
    ];
    for (const answer of await Promise.all(attempts)) {
      assert.equal(answer.status, 401);
      assert.match(answer.headers.get('www-authenticate') ?? '', /^Bearer realm="broker"/);
      const body = (await answer.json()) as { error: string; refused_by: string; fix: string };
      assert.equal(body.refused_by, 'broker');
      assert.equal(body.error, 'broker_key_required');
      assert.match(body.fix, /broker agent add/);
    }
    const after = op.stats();
    assert.equal(after.userinfo.ok + after.userinfo.error, before.userinfo.ok + before.userinfo.error, 'userinfo saw none of them');
    assert.equal(after.tokenRequests, before.tokenRequests);
    const refused = events().filter((e) => e.outcome === 'unauthenticated');
    assert.equal(refused.length, attempts.length);
    assert.ok(refused.every((e) => e.status === 401 && e.conn === undefined && e.agent === undefined));
  });

  it('GET /v1/token/NAME hands out the stored token (persisted before the answer) and logs a token event with the agent', async () => {
    const answer = await call('/v1/token/work', { key });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    const body = (await answer.json()) as { access_token: string; expires_at: string };
    secrets.add(body.access_token);
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_at', 'token_type']);
    assert.ok(Date.parse(body.expires_at) > Date.now());
    const state = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')) as { connections: Record<string, { accessTokenFp: string; generation: number }> };
    assert.equal(fingerprint(body.access_token), state.connections.work?.accessTokenFp, 'the token handed out is the one in the store');
    const userinfo = await fetch(`${op.issuer}/me`, { headers: { authorization: `Bearer ${body.access_token}` } });
    assert.equal(userinfo.status, 200);
    const handed = events().filter((e) => e.event === 'token').at(-1);
    assert.deepEqual([handed?.conn, handed?.agent, handed?.at_fp, handed?.generation], ['work', 'deploy-bot', fingerprint(body.access_token), 1]);
  });

  it('a CI key: a personal connection\'s token is refused (403), its calls are proxied and logged ci: true', async () => {
    ciKey = await addAgent('ci-runner', 'personal-work', '--ci');
    const refused = await call('/v1/token/personal-work', { key: ciKey });
    assert.equal(refused.status, 403);
    const body = (await refused.json()) as { error: string; fix: string };
    assert.equal(body.error, 'personal_connection_for_ci');
    assert.match(body.fix, /service connection/);
    assert.equal(events().filter((e) => e.event === 'token' && e.conn === 'personal-work').length, 0, 'no token was handed out');
    const proxied = await call('/personal-work/me', { key: ciKey });
    assert.equal(proxied.status, 200);
    const last = events().at(-1);
    assert.deepEqual([last?.conn, last?.agent, last?.ci, last?.status], ['personal-work', 'ci-runner', true, 200]);
    // The other agent's key is not limited to CI: the same connection's token is handed to it.
    assert.equal((await call('/v1/token/personal-work', { key })).status, 200);
    // A key is limited to its connections.
    const other = await call('/work/me', { key: ciKey });
    assert.equal(other.status, 403);
    assert.equal(((await other.json()) as { error: string }).error, 'connection_not_granted');
  });

  it('a 401 from the provider: one reactive refresh, one retry, answered 200', async () => {
    // Tokens of 2 s that the broker is told live an hour: the provider rejects them before serve expects it.
    const short = await startOidcProvider({ accessTokenTtl: 2 });
    try {
      const tokens = await mintTokens(short.issuer, { clientId: short.clientId, clientSecret: short.clientSecret() }, 'alice@example.test');
      secrets.add(tokens.access_token).add(tokens.refresh_token);
      const r = await runBroker(
        ['connect', 'fresh', '--provider', 'oidc', '--issuer', short.issuer, '--client-id', short.clientId, '--client-secret-from', `env:${secretEnv}`, '--token-stdin'],
        { env: env(), input: JSON.stringify({ ...tokens, expires_in: 3600 }) },
      );
      assert.equal(r.code, 0, r.stderr);
      const freshKey = await addAgent('fresh-bot', 'fresh');
      await eventually(async () => (await fetch(`${short.issuer}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } })).status === 401, 'the provider to reject the first token');
      const grantsBefore = short.stats().grants.refresh_token?.ok ?? 0;
      const answer = await call('/fresh/me', { key: freshKey });
      assert.equal(answer.status, 200, await answer.clone().text());
      assert.equal((short.stats().grants.refresh_token?.ok ?? 0) - grantsBefore, 1, 'one refresh reached the provider');
      const [rejected, retried] = events().filter((e) => e.event === 'request' && e.conn === 'fresh');
      assert.deepEqual([rejected?.status, rejected?.at_fp, rejected?.agent], [401, fingerprint(tokens.access_token), 'fresh-bot']);
      assert.equal(retried?.status, 200);
      assert.notEqual(retried?.at_fp, rejected?.at_fp);
      const refresh = events().filter((e) => e.event === 'refresh' && e.conn === 'fresh');
      assert.deepEqual(refresh.map((e) => [e.trigger, e.outcome, e.agent]), [['reactive', 'ok', 'fresh-bot']]);
    } finally {
      await short.close();
    }
  });

  it('a revoked grant fails fast: 503 naming the cause and the fix, one refresh for many calls, back at once after a login', async () => {
    await revoke(revokedTokens.refresh_token);
    const before = op.stats().tokenRequests;
    const answers = [];
    for (let i = 0; i < 12; i++) answers.push(await call('/revoked/me', { key }));
    assert.deepEqual(answers.map((a) => a.status), Array(12).fill(503));
    const body = (await answers[0]!.json()) as { error: string; cause: string; lasting: boolean; fix: string; message: string; retry_after_s: number };
    assert.equal(body.error, 'connection_unavailable');
    assert.equal(body.cause, 'invalid_grant');
    assert.equal(body.lasting, true);
    assert.equal(body.fix, 'broker login revoked');
    assert.match(body.message, /will not pass by itself/);
    assert.ok(Number(answers[11]!.headers.get('retry-after')) >= 1);
    assert.equal(op.stats().tokenRequests - before, 1, 'one refresh reached the provider, not twelve');
    const unavailable = events().filter((e) => e.conn === 'revoked' && e.outcome === 'unavailable');
    assert.equal(unavailable.length, 12);
    assert.ok(unavailable.every((e) => e.status === 503 && e.reason === 'invalid_grant' && e.agent === 'deploy-bot'));

    // A login lands (what `broker login revoked` stores): serve notices at once, without waiting out its backoff.
    const fresh = await mintTokens(op.issuer, { clientId: op.clientId, clientSecret: op.clientSecret() }, 'alice@example.test');
    secrets.add(fresh.access_token).add(fresh.refresh_token);
    const deps = createDeps({ io: capturedIo(), env: env(), home, mode: 'text' });
    await deps.tokens().write('revoked', { access_token: fresh.access_token, refresh_token: fresh.refresh_token, expires_at: new Date(Date.now() + 60_000).toISOString() });
    await deps.state().update('revoked', (c) => ({ ...c, generation: c.generation + 1, accessTokenFp: fingerprint(fresh.access_token), refreshTokenFp: fingerprint(fresh.refresh_token), lastError: undefined, lastRefreshAt: new Date().toISOString() }));
    const back = await call('/revoked/me', { key });
    assert.equal(back.status, 200);
  });

  it('a provider that does not answer: 503 that says serve backs off, one attempt for many calls', async () => {
    const down = await startOidcProvider({ accessTokenTtl: 60 });
    const tokens = await mintTokens(down.issuer, { clientId: down.clientId, clientSecret: down.clientSecret() }, 'alice@example.test');
    secrets.add(tokens.access_token).add(tokens.refresh_token);
    const r = await runBroker(
      ['connect', 'flaky', '--provider', 'oidc', '--issuer', down.issuer, '--client-id', down.clientId, '--client-secret-from', `env:${secretEnv}`, '--token-stdin'],
      { env: env(), input: JSON.stringify({ ...tokens, expires_in: undefined, expires_at: new Date(Date.now() - 5_000).toISOString() }) },
    );
    assert.equal(r.code, 0, r.stderr);
    const grant = await runBroker(['agent', 'add', 'flaky-bot', '--conn', 'flaky'], { env: env() });
    secrets.add(grant.stdout.trim());
    await down.close();
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await call('/flaky/me', { key: grant.stdout.trim() }));
    assert.deepEqual(answers.map((a) => a.status), Array(5).fill(503));
    const body = (await answers[0]!.json()) as { lasting: boolean; message: string };
    assert.equal(body.lasting, false);
    assert.match(body.message, /backs off and tries again in \d+ s/);
    assert.equal(events().filter((e) => e.event === 'refresh' && e.conn === 'flaky').length, 1, 'one refresh attempt, not five');
  });

  it('no token, refresh token, client secret or broker key anywhere in the home, the log or the output', async () => {
    const status = await runBroker(['status', '--json'], { env: env() });
    const serveInfo = (JSON.parse(status.stdout) as { serve: { running: boolean; callsLastHour: Record<string, number> } }).serve;
    assert.equal(serveInfo.running, true);
    assert.ok((serveInfo.callsLastHour.work ?? 0) >= callers);
    const log = await runBroker(['log', '--since', '1h'], { env: env() });
    const texts = [serve.stdout(), serve.stderr(), status.stdout, status.stderr, log.stdout, log.stderr, ...filesUnder(home).map((f) => readFileSync(f, 'utf8'))];
    assert.ok(secrets.size >= 10);
    for (const secret of secrets) {
      for (const text of texts) assert.ok(!text.includes(secret), `a secret (fp ${fingerprint(secret)}) leaked`);
    }
    const agentsInState = (JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')) as { agents: Record<string, { keyHash: string }> }).agents;
    assert.match(agentsInState['deploy-bot']?.keyHash ?? '', /^[0-9a-f]{64}$/, 'state keeps the key\'s hash only');
    assert.ok(events().filter((e) => e.event === 'request' && e.outcome !== 'unauthenticated').every((e) => typeof e.agent === 'string'), 'every authenticated call names its agent');
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

