import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { homePaths } from '../../src/adapters/home.js';
import { openStateStore } from '../../src/adapters/state-store.js';
import { parseTokenInput, TokenBundleSchema } from '../../src/core/token-bundle.js';
import { runBroker } from '../support/run-broker.js';
import { tempHome } from '../support/temp-home.js';

// Issue 11 item 13: `--token-stdin` accepted a 50 MB token (every later command then used ~500 MB),
// NUL and ESC bytes, and `null` or `[1,2]` as tokens; `expires_in: 1e300`, `expires_at: 1e20` or
// milliseconds gave "unexpected error".

const now = new Date('2026-11-22T03:00:00.000Z');
const nowSeconds = now.getTime() / 1000;

describe('parseTokenInput refuses what is not a token', () => {
  const bad: Array<[string, string, RegExp]> = [
    ['JSON null', 'null', /JSON null, not a token/],
    ['a JSON array', '[1,2]', /JSON array, not a token/],
    ['a JSON number', '42', /JSON number, not a token/],
    ['a JSON string', '"gho_abc"', /JSON string, not a token/],
    ['a NUL byte', 'gho_a\u0000b', /the token holds whitespace, control or non-ASCII characters/],
    ['an ESC sequence', 'gho_\u001b[31mred', /the token holds whitespace, control or non-ASCII characters/],
    ['non-ASCII', 'gho_ünïcode', /the token holds whitespace, control or non-ASCII characters/],
    ['a token over 16 KiB', `gho_${'a'.repeat(16 * 1024)}`, /the token is over 16384 characters/],
    ['access_token null', '{"access_token": null}', /access_token: /],
    ['access_token [1,2]', '{"access_token": [1, 2]}', /access_token: /],
    ['access_token with ESC', JSON.stringify({ access_token: 'a\u001b]52;c;eA==\u0007' }), /access_token: holds whitespace, control or non-ASCII characters/],
    ['refresh_token with NUL', JSON.stringify({ access_token: 'a', refresh_token: 'r\u0000' }), /refresh_token: holds whitespace/],
    ['refresh_token null', '{"access_token": "a", "refresh_token": null}', /refresh_token: /],
    ['a 20 KiB access_token', JSON.stringify({ access_token: 'a'.repeat(20 * 1024) }), /access_token: is over 16384 characters/],
    ['expires_in 1e300', '{"access_token": "a", "expires_in": 1e300}', /expires_in: must be seconds, at most 315360000 \(10 years\)/],
    ['expires_in not a number', '{"access_token": "a", "expires_in": "soon"}', /expires_in: /],
    ['expires_at 1e20', '{"access_token": "a", "expires_at": 1e20}', /expires_at is more than 10 years away/],
    ['expires_at in milliseconds', JSON.stringify({ access_token: 'a', expires_at: (nowSeconds + 3600) * 1000 }), /expires_at looks like milliseconds: give epoch seconds/],
    ['expires_at that is an expires_in', '{"access_token": "a", "expires_at": 3600}', /for a lifetime in seconds use expires_in/],
    ['an ISO expires_at 100 years away', '{"access_token": "a", "expires_at": "2126-01-01T00:00:00Z"}', /expires_at is more than 10 years away/],
    ['a scope with control characters', JSON.stringify({ access_token: 'a', scope: 'repo\u001b[2J' }), /scope: holds control characters/],
  ];
  for (const [what, input, reason] of bad) {
    it(`${what} → a one-line reason that does not quote the input`, () => {
      const r = parseTokenInput(input, now);
      assert.equal(r.ok, false, `accepted ${what}`);
      const error = r.ok ? '' : r.error;
      assert.match(error, reason);
      assert.ok(!error.includes('\n') && !error.includes('aaaaaaaa') && !error.includes('gho_'), error);
    });
  }

  it('still takes what token endpoints send: expires_in as a string, epoch seconds, a past expiry', () => {
    assert.deepEqual(parseTokenInput('{"access_token":"a","expires_in":"3600"}', now), { ok: true, bundle: { access_token: 'a', expires_at: '2026-11-22T04:00:00.000Z', refresh_token: undefined, scope: undefined } });
    const past = parseTokenInput(JSON.stringify({ access_token: 'a', expires_at: nowSeconds - 60 }), now);
    assert.equal(past.ok && past.bundle.expires_at, '2026-11-22T02:59:00.000Z');
    assert.equal(parseTokenInput(`ya29.${'x'.repeat(2000)}`, now).ok, true);
  });
});

describe('the bundle schema on every read', () => {
  const stored: Array<[string, unknown]> = [
    ['a NUL in the access token', { access_token: 'a\u0000' }],
    ['an access token over 16 KiB', { access_token: 'a'.repeat(16 * 1024 + 1) }],
    ['a refresh token that is a number', { access_token: 'a', refresh_token: 7 }],
    ['an expiry that is not an ISO time', { access_token: 'a', expires_at: 'tomorrow' }],
    ['a private key that is not PEM text', { access_token: 'a', private_key: '-----BEGIN\u0000' }],
  ];
  for (const [what, bundle] of stored) it(`refuses ${what}`, () => assert.equal(TokenBundleSchema.safeParse(bundle).success, false));
});

describe('broker connect --token-stdin', () => {
  it('refuses 50 MB on stdin at once (exit 2), before reading it all, and stores nothing', async () => {
    const home = tempHome();
    const started = performance.now();
    const r = await runBroker(['connect', 'big', '--provider', 'github', '--token-stdin'], { env: { BROKER_HOME: home }, input: 'a'.repeat(50 * 1024 * 1024) });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /stdin holds more than 64 KiB: that is not a token/);
    assert.ok(performance.now() - started < 10_000);
    assert.equal(openStateStore(homePaths(home)).get('big'), undefined);
  });

  for (const input of ['{"access_token":"a","expires_in":1e300}', '{"access_token":"a","expires_at":1e20}', 'null', '[1,2]', 'gho_\u0000nul']) {
    it(`${JSON.stringify(input)} → exit 2 (bad input), not "unexpected error"`, async () => {
      const r = await runBroker(['connect', 'x', '--provider', 'github', '--token-stdin'], { env: { BROKER_HOME: tempHome() }, input });
      assert.equal(r.code, 2, r.stderr);
      assert.doesNotMatch(r.stderr, /unexpected error/);
    });
  }
});
