import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { completeBrowserLogin, startOidcProvider, type RunningOidcProvider } from '../../fixtures/providers/oidc-provider-server.js';
import { runBroker } from '../support/run-broker.js';
import { startBroker } from '../support/live-broker.js';
import { fileSha256, keychainEntry, readEvents } from '../support/home-files.js';
import { tempHome } from '../support/temp-home.js';
import { connectOidcAccounts } from '../support/oidc-connection.js';

// `broker login --no-browser` (the built binary, piped): the printed URL is completed headlessly as a
// given account, the provider redirects to the broker's loopback listener, tokens go to the real keychain.

const alice = 'alice@example.test';
const mallory = 'mallory@example.test';

const authorizationUrl = /^\s+(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)$/m;

describe('broker login --no-browser against oidc-provider', () => {
  let op: RunningOidcProvider;
  const home = tempHome();
  const env = (): Record<string, string> => ({ BROKER_HOME: home, OIDC_SECRET: op.clientSecret() });

  before(async () => {
    op = await startOidcProvider({ accessTokenTtl: 120 });
    await connectOidcAccounts(op, home, ['laptop', 'guarded'], alice);
  });
  after(() => op.close());

  test('the URL carries PKCE and a loopback redirect; a forged callback is refused; signing in as the account stores working tokens', async () => {
    const login = startBroker(['login', 'laptop', '--no-browser'], { env: env() });
    const [, url] = await login.waitFor(authorizationUrl);
    const params = new URL(url!).searchParams;
    assert.equal(params.get('code_challenge_method'), 'S256');
    assert.match(params.get('redirect_uri') ?? '', /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    assert.equal(params.get('login_hint'), alice);

    // A callback with another state (a forged or stale redirect) is answered 400, and the login keeps waiting.
    const forged = await fetch(`${params.get('redirect_uri')}?code=stolen&state=not-the-state`);
    assert.equal(forged.status, 400);

    const { callback } = await completeBrowserLogin(url!, alice, { followCallback: true });
    assert.equal(callback?.status, 200);
    const done = await login.done;
    assert.equal(done.code, 0, done.stderr);
    assert.equal(done.stdout.trim(), `logged in laptop as ${alice}`);

    const bundle = JSON.parse(keychainEntry(home, 'laptop') ?? 'null') as { access_token: string; refresh_token?: string } | null;
    assert.ok(bundle?.access_token && bundle.refresh_token, 'the keychain holds access and refresh tokens');
    const login_ = readEvents(home).filter((e) => e.event === 'login').at(-1);
    assert.equal(login_?.method, 'browser');
    assert.equal(login_?.outcome, 'ok');
    assert.equal(login_?.identity, alice);

    const token = await runBroker(['token', 'laptop'], { env: env() });
    assert.equal(token.code, 0, token.stderr);
    assert.equal(token.stdout.trim(), bundle.access_token);
    const me = await fetch(`${op.issuer}/me`, { headers: { authorization: `Bearer ${token.stdout.trim()}` } });
    assert.equal(me.status, 200, 'the printed token works at the provider');
    assert.equal(((await me.json()) as { sub: string }).sub, alice);
  });

  test('signing in as the wrong account: refused naming both identities, no keychain entry, state.json unchanged', async () => {
    const stateBefore = fileSha256(join(home, 'state.json'));
    const login = startBroker(['login', 'guarded', '--no-browser'], { env: env() });
    const [, url] = await login.waitFor(authorizationUrl);
    await completeBrowserLogin(url!, mallory, { followCallback: true });
    const done = await login.done;
    assert.equal(done.code, 1);
    assert.match(done.stderr, new RegExp(`logged in as ${mallory}, but this connection must be ${alice}`));
    assert.equal(keychainEntry(home, 'guarded'), null);
    assert.equal(fileSha256(join(home, 'state.json')), stateBefore);
    const refused = readEvents(home).filter((e) => e.event === 'login').at(-1);
    assert.deepEqual([refused?.conn, refused?.outcome, refused?.identity], ['guarded', 'refused', mallory]);
  });

  test('no sign-in within --timeout: exit 1 with the fix, nothing stored', async () => {
    const done = await runBroker(['login', 'guarded', '--no-browser', '--timeout', '1'], { env: env() });
    assert.equal(done.code, 1);
    assert.match(done.stderr, /no sign-in came back within 1 s/);
    assert.equal(keychainEntry(home, 'guarded'), null);
    assert.equal(readEvents(home).filter((e) => e.event === 'login').at(-1)?.outcome, 'error');
  });
});
