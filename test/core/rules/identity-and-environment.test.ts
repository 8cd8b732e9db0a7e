import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accessExpired } from '../../../src/core/rules/access-expired.js';
import { clockSkew } from '../../../src/core/rules/clock-skew.js';
import { keychainUnavailable } from '../../../src/core/rules/keychain-unavailable.js';
import { newDestination } from '../../../src/core/rules/new-destination.js';
import { personalInCi } from '../../../src/core/rules/personal-in-ci.js';
import { proxyConflict } from '../../../src/core/rules/proxy-conflict.js';
import { wrongAccount } from '../../../src/core/rules/wrong-account.js';
import type { Rule } from '../../../src/core/findings.js';
import { at, conn, day, check, found, hour, minute, T0, type FactsInput } from '../../support/facts.js';

const gh = conn({ name: 'gh', provider: 'github', account: 'bot' });
const oidcLocal = conn({ name: 'o', provider: 'oidc', issuer: 'http://127.0.0.1:4010' });
const dated = (offset: number, skewMs: number) => ({ ts: at(offset), event: 'request', conn: 'gh', method: 'GET', target: 'api.github.com', path: '/user', status: 200, date: new Date(Math.floor((T0 + offset - skewMs) / 1000) * 1000).toUTCString() });
const req = (offset: number, target: string, agent = 'a1') => ({ ts: at(offset), event: 'request', conn: 'gh', method: 'GET', target, path: '/', status: 200, agent });

const cases: Array<[string, Rule, FactsInput, string[]]> = [
  ['wrong-account: probe answers as someone else', wrongAccount, { connections: [gh], events: [{ ts: at(-minute), event: 'probe', conn: 'gh', check: 'identity', outcome: 'ok', identity: 'alice' }] }, ['gh error']],
  ['wrong-account: the right account (any case) → quiet', wrongAccount, { connections: [gh], events: [{ ts: at(-minute), event: 'probe', conn: 'gh', check: 'identity', outcome: 'ok', identity: 'BOT' }] }, []],
  ['wrong-account: a later login as the right account settles it', wrongAccount, { connections: [gh], events: [{ ts: at(-9 * minute), event: 'probe', conn: 'gh', check: 'identity', outcome: 'ok', identity: 'alice' }, { ts: at(-minute), event: 'login', conn: 'gh', method: 'browser', outcome: 'ok', identity: 'bot' }] }, ['gh error resolved']],
  ['wrong-account: no account configured → nothing to compare', wrongAccount, { connections: [conn({ name: 'gh', provider: 'github' })], events: [{ ts: at(-minute), event: 'probe', conn: 'gh', check: 'identity', outcome: 'ok', identity: 'alice' }] }, []],
  ['personal-in-ci: personal token to a CI caller', personalInCi, { connections: [conn({ name: 'p', provider: 'github', kind: 'personal' })], events: [{ ts: at(-minute), event: 'token', conn: 'p', at_fp: 'x', generation: 1, ci: true }] }, ['p warning']],
  ['personal-in-ci: a service connection in CI is the point', personalInCi, { connections: [conn({ name: 'p', provider: 'github' })], events: [{ ts: at(-minute), event: 'token', conn: 'p', at_fp: 'x', generation: 1, ci: true }] }, []],
  ['personal-in-ci: personal outside CI → quiet', personalInCi, { connections: [conn({ name: 'p', provider: 'github', kind: 'personal' })], events: [{ ts: at(-minute), event: 'token', conn: 'p', at_fp: 'x', generation: 1, ci: false }] }, []],
  ['access-expired: expired, no refresh token', accessExpired, { connections: [conn({ name: 'x', provider: 'linear', accessTokenExpiresAt: at(-hour) })] }, ['x error']],
  ['access-expired: a refresh token will renew it', accessExpired, { connections: [conn({ name: 'x', provider: 'linear', accessTokenExpiresAt: at(-hour), refreshTokenFp: 'r' })] }, []],
  ['access-expired: GitHub App tokens are minted again', accessExpired, { connections: [conn({ name: 'x', provider: 'github-app', accessTokenExpiresAt: at(-hour) })] }, []],
  ['access-expired: not yet expired', accessExpired, { connections: [conn({ name: 'x', provider: 'linear', accessTokenExpiresAt: at(hour) })] }, []],
  ['clock-skew: Date header 4 minutes behind the log time', clockSkew, { connections: [gh], events: [dated(-minute, 4 * minute)] }, ['gh error']],
  ['clock-skew: 10 s is noise', clockSkew, { connections: [gh], events: [dated(-minute, 10_000)] }, []],
  ['clock-skew: fixed since (a later answer agrees)', clockSkew, { connections: [gh], events: [dated(-9 * minute, 4 * minute), dated(-minute, 1000)] }, ['gh error resolved']],
  ['clock-skew: a JWT iat error from the provider', clockSkew, { connections: [conn({ name: 'gh', provider: 'github-app' })], events: [{ ts: at(-minute), event: 'probe', conn: 'gh', check: 'token-endpoint', outcome: 'error', status: 401, error: 'http_401', error_description: "'Expiration time' claim ('exp') is too far in the future" }] }, ['gh error']],
  ['clock-skew: AADSTS700024', clockSkew, { connections: [conn({ name: 'gh', provider: 'microsoft' })], events: [{ ts: at(-minute), event: 'refresh', conn: 'gh', trigger: 'proactive', outcome: 'error', status: 401, error: 'invalid_client', error_code: 'AADSTS700024' }] }, ['gh error']],
  ['keychain-unavailable: store cannot be read', keychainUnavailable, { connections: [gh], store: { backend: 'keychain', reason: 'default', available: false, problem: 'no Secret Service' } }, ['- critical']],
  ['keychain-unavailable: store fine', keychainUnavailable, { connections: [gh] }, []],
  ['new-destination: a target unseen in the agent\'s previous 7 days', newDestination, { connections: [gh], events: [req(-3 * day, 'api.github.com'), req(-2 * hour, 'paste.example')] }, ['gh warning']],
  ['new-destination: seen 3 days ago → quiet', newDestination, { connections: [gh], events: [req(-3 * day, 'paste.example'), req(-2 * hour, 'paste.example')] }, []],
  ['new-destination: no history for the agent → nothing to compare with', newDestination, { connections: [gh], events: [req(-2 * hour, 'paste.example')] }, []],
  ['new-destination: another agent\'s history does not count', newDestination, { connections: [gh], events: [req(-3 * day, 'paste.example', 'a2'), req(-3 * day, 'api.github.com'), req(-2 * hour, 'paste.example')] }, ['gh warning']],
  ['new-destination: seen only 9 days ago is outside the 7-day baseline', newDestination, { connections: [gh], events: [req(-9 * day, 'paste.example'), req(-3 * day, 'api.github.com'), req(-2 * hour, 'paste.example')] }, ['gh warning']],
];

describe('identity, environment and audit rules', () => {
  for (const [name, rule, input, expected] of cases) it(name, () => assert.deepEqual(found(rule, input), expected));
});

describe('proxy-conflict', () => {
  const table: Array<[string, FactsInput, string[]]> = [
    ['local HTTPS_PROXY and corporate https_proxy', { connections: [gh], env: { HTTPS_PROXY: 'http://127.0.0.1:8899', https_proxy: 'http://proxy.corp:3128' } }, ['- warning']],
    ['both cases agree → quiet', { connections: [gh], env: { HTTPS_PROXY: 'http://proxy.corp:3128', https_proxy: 'http://proxy.corp:3128' } }, []],
    ['corporate proxy and a loopback issuer missing from NO_PROXY', { connections: [oidcLocal], env: { HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: 'localhost' } }, ['- warning']],
    ['loopback issuer listed in NO_PROXY → quiet', { connections: [oidcLocal], env: { HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: 'localhost,127.0.0.1' } }, []],
    ['no proxy at all → quiet', { connections: [oidcLocal], env: {} }, []],
  ];
  for (const [name, input, expected] of table) it(name, () => assert.deepEqual(found(proxyConflict, input), expected));
  it('never shows proxy credentials', () => {
    const [f] = check(proxyConflict, { connections: [gh], env: { HTTPS_PROXY: 'http://127.0.0.1:8899', https_proxy: 'http://user:hunter2@proxy.corp:3128' } });
    assert.ok(f);
    assert.ok(!JSON.stringify(f).includes('hunter2'));
    assert.match(f.summary, /http:\/\/\*\*\*@proxy\.corp:3128/);
  });
});
