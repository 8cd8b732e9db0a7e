import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startGithubStandin, type GithubStandin } from '../../fixtures/providers/github-standin.js';
import { fileSha256, keychainEntry, readEvents } from '../support/home-files.js';
import { startBroker } from '../support/live-broker.js';
import { runBroker } from '../support/run-broker.js';
import { tempHome } from '../support/temp-home.js';

// `broker login` for a GitHub (App user-token) connection against the GitHub stand-in: errors at HTTP 200,
// identity from GET /user, the device flow's slow_down, the browser leg with PKCE, and --paste.

describe('broker login against the GitHub stand-in', () => {
  let gh: GithubStandin;
  const home = tempHome();
  const env = (): Record<string, string> => ({ BROKER_HOME: home, GH_CLIENT_SECRET: 'gh-client-secret' });

  before(async () => {
    gh = await startGithubStandin();
    gh.addUser('octocat');
    gh.addUser('hubot');
    gh.addOAuthApp('Iv1.broker', 'gh-client-secret');
    const r = await runBroker(
      ['connect', 'gh', '--provider', 'github', '--kind', 'personal', '--account', 'octocat', '--issuer', gh.url, '--api-base-url', gh.url, '--client-id', 'Iv1.broker', '--client-secret-from', 'env:GH_CLIENT_SECRET', '--scopes', 'repo'],
      { env: env() },
    );
    assert.equal(r.code, 0, r.stderr);
  });
  after(() => gh.close());

  test('device flow: slow_down is honoured (the next poll waits 5 s more), approval as the account stores a rotating pair', async () => {
    gh.slowDownNextPoll();
    const login = startBroker(['login', 'gh', '--device'], { env: env() });
    const [, userCode] = await login.waitFor(/enter the code (\S+)/);
    assert.match(await login.waitFor(/visit (\S+)/).then((m) => m[1] ?? ''), new RegExp(`^${gh.url}/login/device$`));
    await login.waitFor(/waiting for approval/);
    // Approve only once the slow_down answer went out, so the poll after it is the one that gets the tokens.
    while (gh.devicePolls.length < 1) await new Promise((resolve) => setImmediate(resolve));
    gh.approveDevice(userCode!, 'octocat');
    const done = await login.done;
    assert.equal(done.code, 0, done.stderr);
    assert.equal(done.stdout.trim(), 'logged in gh as octocat');
    const [first, second] = gh.devicePolls;
    assert.ok(second! - first! >= 5_500, `after slow_down the client waited ${second! - first!} ms (interval 1 s + 5 s)`);

    const bundle = JSON.parse(keychainEntry(home, 'gh') ?? 'null') as { access_token: string; refresh_token?: string } | null;
    assert.match(bundle?.access_token ?? '', /^ghu_/);
    assert.match(bundle?.refresh_token ?? '', /^ghr_/);
    const me = await runBroker(['api', 'gh', '/user'], { env: env() });
    assert.equal(me.code, 0, me.stderr);
    assert.equal((JSON.parse(me.stdout) as { login: string }).login, 'octocat');
    const request = readEvents(home).filter((e) => e.event === 'request').at(-1);
    assert.equal(request?.['x-oauth-scopes'], 'repo', 'the granted scopes header is logged');
  });

  test('browser: PKCE code exchange; signed in as someone else → refused, state and keychain untouched', async () => {
    const stateBefore = fileSha256(join(home, 'state.json'));
    const bundleBefore = keychainEntry(home, 'gh');
    gh.signInBrowserAs('hubot');
    const login = startBroker(['login', 'gh', '--no-browser'], { env: env() });
    const [, url] = await login.waitFor(/^\s+(http:\/\/127\.0\.0\.1:\d+\/login\/oauth\/authorize\?\S+)$/m);
    assert.equal(new URL(url!).searchParams.get('code_challenge_method'), 'S256');
    const toCallback = await fetch(url!, { redirect: 'manual' });
    assert.equal(toCallback.status, 302);
    const callback = await fetch(toCallback.headers.get('location')!);
    assert.equal(callback.status, 200);
    const done = await login.done;
    assert.equal(done.code, 1);
    assert.match(done.stderr, /logged in as hubot, but this connection must be octocat/);
    assert.equal(fileSha256(join(home, 'state.json')), stateBefore);
    assert.equal(keychainEntry(home, 'gh'), bundleBefore);
  });

  test('--paste: a token of the account is stored; a token of another user is refused', async () => {
    const hubot = gh.issueUserToken('hubot', 'Iv1.broker', ['repo']);
    const refused = await runBroker(['login', 'gh', '--paste'], { env: env(), input: hubot.access_token });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /logged in as hubot, but this connection must be octocat/);
    assert.notEqual(JSON.parse(keychainEntry(home, 'gh') ?? '{}').access_token, hubot.access_token);

    const octo = gh.issueUserToken('octocat', 'Iv1.broker', ['repo']);
    const ok = await runBroker(['login', 'gh', '--paste'], { env: env(), input: JSON.stringify({ ...octo, expires_in: 28800 }) });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(keychainEntry(home, 'gh') ?? '{}').access_token, octo.access_token);
    const logins = readEvents(home).filter((e) => e.event === 'login').slice(-2);
    assert.deepEqual(logins.map((e) => [e.method, e.outcome, e.identity]), [['paste', 'refused', 'hubot'], ['paste', 'ok', 'octocat']]);
    for (const e of readEvents(home)) assert.doesNotMatch(JSON.stringify(e), /gh[uor]_/, 'no GitHub token in the log');
  });
});
