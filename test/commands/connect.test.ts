import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { homePaths } from '../../src/adapters/home.js';
import { openStateStore } from '../../src/adapters/state-store.js';
import { parseTokenInput } from '../../src/core/token-bundle.js';
import { fingerprint } from '../../src/core/fingerprint.js';
import { tempHome } from '../support/temp-home.js';
import { runBroker } from '../support/run-broker.js';

const now = new Date('2026-11-22T03:00:00.000Z');

describe('parseTokenInput', () => {
  it('takes a bare token', () => {
    assert.deepEqual(parseTokenInput('  abc.def-123\n', now), { ok: true, bundle: { access_token: 'abc.def-123' } });
  });
  it('takes a token-endpoint response and turns expires_in into expires_at', () => {
    const r = parseTokenInput('{"access_token":"a","refresh_token":"r","expires_in":3600,"scope":"repo read:org"}', now);
    assert.deepEqual(r, { ok: true, bundle: { access_token: 'a', refresh_token: 'r', scope: 'repo read:org', expires_at: '2026-11-22T04:00:00.000Z' } });
  });
  it('takes expires_at as epoch seconds or ISO', () => {
    const epoch = parseTokenInput('{"access_token":"a","expires_at":1795000000}', now);
    assert.equal(epoch.ok && epoch.bundle.expires_at, new Date(1795000000 * 1000).toISOString());
    const iso = parseTokenInput('{"access_token":"a","expires_at":"2026-12-01T00:00:00Z"}', now);
    assert.equal(iso.ok && iso.bundle.expires_at, '2026-12-01T00:00:00.000Z');
  });
  const bad: Array<[string, RegExp]> = [
    ['', /empty/],
    ['two words', /whitespace/],
    ['{"access_token": "secret-value-in-broken-json', /not valid JSON/],
    ['{"refresh_token":"r"}', /access_token/],
    ['{"access_token":"a","expires_in":-5}', /expires_in/],
  ];
  for (const [input, reason] of bad) {
    it(`rejects ${JSON.stringify(input)} and never echoes it back`, () => {
      const r = parseTokenInput(input, now);
      assert.equal(r.ok, false);
      assert.match(!r.ok ? r.error : '', reason);
      if (input.length > 0) assert.ok(!(!r.ok && r.error.includes(input.slice(-12))), 'the error quotes the input');
    });
  }
});

describe('broker connect', () => {
  it('stores metadata and fingerprints in state.json, the token in the store, and logs a paste login', async () => {
    const home = tempHome();
    const input = JSON.stringify({ access_token: 'canary-access-91c2', refresh_token: 'canary-refresh-77ab', expires_in: 7200 });
    const r = await runBroker(['connect', 'work', '--provider', 'oidc', '--issuer', 'http://127.0.0.1:9/', '--kind', 'personal', '--account', 'alice@example.test', '--scopes', 'openid,offline_access', '--token-stdin', '--json'], { env: { BROKER_HOME: home }, input });
    assert.equal(r.code, 0, r.stderr);
    const { connection } = JSON.parse(r.stdout);
    assert.equal(connection.accessTokenFp, fingerprint('canary-access-91c2'));
    assert.equal(connection.refreshTokenFp, fingerprint('canary-refresh-77ab'));
    assert.deepEqual(connection.scopes, ['openid', 'offline_access']);
    const stored = openStateStore(homePaths(home)).get('work');
    assert.equal(stored?.account, 'alice@example.test');
    const log = readFileSync(homePaths(home).events, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(log.length, 1);
    assert.equal(log[0].event, 'login');
    assert.equal(log[0].method, 'paste');
    assert.equal(log[0].conn, 'work');
    for (const text of [r.stdout, r.stderr, JSON.stringify(log), readFileSync(homePaths(home).state, 'utf8')]) {
      assert.ok(!text.includes('canary-access-91c2') && !text.includes('canary-refresh-77ab'));
    }
  });

  const usage: Array<[string[], RegExp]> = [
    [['connect'], /exactly one NAME/],
    [['connect', 'x'], /--provider must be one of/],
    [['connect', 'x', '--provider', 'oidc'], /needs --issuer/],
    [['connect', 'x', '--provider', 'github-app', '--app-id', '1'], /needs --app-id N --installation N --installation-account/],
    [['connect', 'x', '--provider', 'github', '--client-secret-from', 'vault:abc'], /env:VAR, file:PATH or keychain/],
    [['connect', 'x', '--provider', 'github', '--bogus'], /^broker: connect: unknown option --bogus; see broker connect --help\n$/],
    [['connect', 'bad name!', '--provider', 'github'], /not a valid name/],
  ];
  for (const [args, reason] of usage) {
    it(`${args.join(' ')} → exit 2`, async () => {
      const r = await runBroker(args, { env: { BROKER_HOME: tempHome() } });
      assert.equal(r.code, 2);
      assert.match(r.stderr, reason);
    });
  }

  it('refuses a second connection with the same name and keeps the first token', async () => {
    const home = tempHome();
    assert.equal((await runBroker(['connect', 'a', '--provider', 'github', '--token-stdin'], { env: { BROKER_HOME: home }, input: 'first-token' })).code, 0);
    const again = await runBroker(['connect', 'a', '--provider', 'github', '--token-stdin'], { env: { BROKER_HOME: home }, input: 'second-token' });
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already exists/);
    assert.equal(openStateStore(homePaths(home)).get('a')?.accessTokenFp, fingerprint('first-token'));
  });

  it('--help prints usage and exits 0; an unknown command exits 2', async () => {
    const help = await runBroker(['connect', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: broker connect NAME --provider P/);
    const unknown = await runBroker(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "frobnicate"/);
  });
});
