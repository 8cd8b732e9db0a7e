import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startGithubStandin, type GithubStandin } from '../../fixtures/providers/github-standin.js';
import { runBroker } from '../support/run-broker.js';
import { readEvents } from '../support/home-files.js';
import { tempHome } from '../support/temp-home.js';

// The built binary against the GitHub stand-in, with the real keychain (scripts/run-tests.mjs).

describe('GitHub App connection against the stand-in', () => {
  let gh: GithubStandin;
  const home = tempHome();
  const keyFile = join(home, 'app.pem');
  let privateKeyPem: string;
  const env = (): Record<string, string> => ({ BROKER_HOME: home });

  before(async () => {
    gh = await startGithubStandin();
    privateKeyPem = gh.addApp(4242).privateKeyPem;
    gh.addInstallation({ id: 777, appId: 4242, account: 'acme' });
    gh.addRepo('acme/api');
    gh.addRepo('globex/billing');
    writeFileSync(keyFile, privateKeyPem, { mode: 0o600 });
  });
  after(() => gh.close());

  test('connect with an installation of another App: GitHub\'s 404 is shown, nothing is created', async () => {
    gh.addApp(9999);
    gh.addInstallation({ id: 888, appId: 9999, account: 'globex' });
    const r = await runBroker(
      ['connect', 'wrong-bot', '--provider', 'github-app', '--app-id', '4242', '--installation', '888', '--installation-account', 'globex', '--private-key-file', keyFile, '--api-base-url', gh.url],
      { env: env() },
    );
    assert.equal(r.code, 1);
    assert.match(r.stderr, /GitHub refused an installation token for "wrong-bot": 404 Not Found/);
    assert.match(r.stderr, /fix: the installation id does not belong to this App/);
    const status = await runBroker(['status', '--json'], { env: env() });
    assert.deepEqual((JSON.parse(status.stdout) as { connections: unknown[] }).connections, []);
  });

  test('connect mints an installation token; the key goes to the token store, never state.json', async () => {
    const r = await runBroker(
      ['connect', 'acme-bot', '--provider', 'github-app', '--app-id', '4242', '--installation', '777', '--installation-account', 'acme', '--private-key-file', keyFile, '--api-base-url', gh.url, '--json'],
      { env: env() },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(gh.mintCount, 1);
    const state = readFileSync(join(home, 'state.json'), 'utf8');
    assert.doesNotMatch(state, /PRIVATE KEY/);
    assert.doesNotMatch(r.stdout + r.stderr, /PRIVATE KEY|ghs_/);
    const conn = (JSON.parse(state) as { connections: Record<string, { accessTokenFp?: string; accessTokenExpiresAt?: string; apiBaseUrl?: string }> }).connections['acme-bot'];
    assert.match(conn?.accessTokenFp ?? '', /^[0-9a-f]{12}$/);
    assert.equal(conn?.apiBaseUrl, gh.url);
    const life = Date.parse(conn?.accessTokenExpiresAt ?? '') - Date.now();
    assert.ok(life > 3500_000 && life <= 3600_000, `expires in about an hour (${life} ms)`);
  });

  test('broker api to a repo of the installation\'s owner → 200, cached token reused', async () => {
    const r = await runBroker(['api', 'acme-bot', '/repos/acme/api'], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { full_name: string }).full_name, 'acme/api');
    assert.match(r.stderr, /HTTP 200/);
    assert.equal(gh.mintCount, 1, 'the token minted at connect is still fresh');
    const ev = readEvents(home).filter((e) => e.event === 'request').at(-1);
    assert.equal(ev?.status, 200);
    assert.equal(ev?.path, '/repos/acme/api');
    assert.ok(Number(ev?.['x-ratelimit-remaining']) > 0);
  });

  test('broker api to a repo of another owner → refused before it is sent (GitHub would say 404), exit 1, a refused request event', async () => {
    const sent = gh.requests.filter((q) => q.path === '/repos/globex/billing').length;
    const r = await runBroker(['api', 'acme-bot', '/repos/globex/billing'], { env: env() });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /refused before sending: "acme-bot" is installation 777 of GitHub App 4242 on acme; globex\/billing belongs to globex/);
    assert.equal(r.stdout, '');
    assert.equal(gh.requests.filter((q) => q.path === '/repos/globex/billing').length, sent, 'nothing was sent');
    const ev = readEvents(home).filter((e) => e.event === 'request').at(-1);
    assert.equal(ev?.conn, 'acme-bot');
    assert.equal(ev?.method, 'GET');
    assert.equal(ev?.target, new URL(gh.url).host);
    assert.equal(ev?.path, '/repos/globex/billing');
    assert.equal(ev?.outcome, 'refused');
    assert.equal(ev?.reason, 'wrong-installation');
  });

  test('an expired installation token is minted again; a 401 mid-hour mints once and retries', async () => {
    gh.expireTokens(777);
    const r = await runBroker(['api', 'acme-bot', '/repos/acme/api'], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(gh.mintCount, 2, 'the 401 caused exactly one new mint');
    const refresh = readEvents(home).filter((e) => e.event === 'refresh').at(-1);
    assert.equal(refresh?.trigger, 'reactive');
    assert.equal(refresh?.outcome, 'ok');
    const requests = readEvents(home).filter((e) => e.event === 'request').slice(-2);
    assert.deepEqual(requests.map((e) => e.status), [401, 200]);
    assert.notEqual(requests[0]?.at_fp, requests[1]?.at_fp);
  });

  test('local clock 2 minutes ahead of GitHub: auth-app retries with the Date header offset and the mint succeeds', async () => {
    gh.setClockOffset(-120);
    try {
      const before = gh.requests.filter((q) => q.path === '/app/installations/777/access_tokens').length;
      // The cached token is fresh on the local clock: expiring it at GitHub forces the 401 → mint path.
      gh.expireTokens(777);
      const again = await runBroker(['api', 'acme-bot', '/repos/acme/api'], { env: env() });
      assert.equal(again.code, 0, again.stderr);
      const mints = gh.requests.filter((q) => q.path === '/app/installations/777/access_tokens').slice(before);
      assert.deepEqual(mints.map((q) => q.status), [401, 201], 'first JWT refused for iat in the future, the retry accepted');
      assert.match(again.stderr, /different by -12\d seconds/);
    } finally {
      gh.setClockOffset(0);
    }
  });

  test('a suspended installation: the mint error is logged and kept as lastError', async () => {
    gh.suspendInstallation(777);
    gh.expireTokens(777);
    try {
      const r = await runBroker(['api', 'acme-bot', '/repos/acme/api'], { env: env() });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /403 This installation has been suspended/);
      const refresh = readEvents(home).filter((e) => e.event === 'refresh').at(-1);
      assert.equal(refresh?.outcome, 'error');
      assert.equal(refresh?.status, 403);
      const state = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')) as { connections: Record<string, { lastError?: { status: number } }> };
      assert.equal(state.connections['acme-bot']?.lastError?.status, 403);
    } finally {
      gh.suspendInstallation(777, false);
    }
    const log = readFileSync(join(home, 'logs', 'events.jsonl'), 'utf8');
    assert.doesNotMatch(log, /ghs_|PRIVATE KEY/, 'no token or key in the log');
  });

  test('broker refresh mints a new installation token; broker token prints it, working, and logs only its fingerprint', async () => {
    // The previous test expired the held token at GitHub only: the broker cannot know until it asks.
    const mints = gh.mintCount;
    const refreshed = await runBroker(['refresh', 'acme-bot'], { env: env() });
    assert.equal(refreshed.code, 0, refreshed.stderr);
    assert.equal(gh.mintCount, mints + 1);
    const r = await runBroker(['token', 'acme-bot'], { env: env() });
    assert.equal(gh.mintCount, mints + 1, 'broker token hands out the cached token');
    assert.equal(r.code, 0, r.stderr);
    const token = r.stdout.trim();
    assert.match(token, /^ghs_/);
    const repo = await fetch(`${gh.url}/repos/acme/api`, { headers: { authorization: `token ${token}` } });
    assert.equal(repo.status, 200);
    const handed = readEvents(home).filter((e) => e.event === 'token').at(-1);
    assert.equal(handed?.conn, 'acme-bot');
    assert.match(String(handed?.at_fp), /^[0-9a-f]{12}$/);
    assert.doesNotMatch(readFileSync(join(home, 'logs', 'events.jsonl'), 'utf8'), new RegExp(token));
  });
});
