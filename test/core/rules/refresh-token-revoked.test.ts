import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { refreshTokenRevoked } from '../../../src/core/rules/refresh-token-revoked.js';
import { at, check, conn, day, expectFindings, expecting, hour, minute, type RuleCase } from '../../support/facts.js';

// A refused grant with no race and no idle cause: the provider revoked the refresh token.

const revoked = expecting('refresh-token-revoked', 'critical');
const gh = conn({ name: 'gh', provider: 'github', refreshTokenFp: 'rt2', lastRefreshAt: at(-2 * day) });
const ok = (offset: number, pid: number, host = 'h1', rt = 'rt1') => ({ ts: at(offset), event: 'refresh', conn: 'gh', trigger: 'reactive', outcome: 'ok', status: 200, rt_fp: rt, new_rt_fp: 'rt2', pid, host });
const bad = (offset: number, pid: number, host = 'h1', rt = 'rt1', error = 'bad_refresh_token') => ({ ts: at(offset), event: 'refresh', conn: 'gh', trigger: 'reactive', outcome: 'error', status: 200, error, rt_fp: rt, pid, host });
const grantFailure = { ts: at(-minute), event: 'refresh', conn: 'g', trigger: 'proactive', outcome: 'error', status: 400, error: 'invalid_grant', rt_fp: 'r' };
const app = conn({ name: 'app', provider: 'github-app', appId: 1, installation: { id: 7, account: 'acme' }, lastRefreshAt: at(-hour) });
const mint = (offset: number, outcome: string, more: Record<string, unknown> = {}) => ({ ts: at(offset), event: 'refresh', conn: 'app', trigger: 'proactive', outcome, generation: 4, ...more });

// A refresh the provider answered whose new tokens could not be stored: the store still holds rt1, already used.
const unpersisted = (offset: number, pid: number, host: string, rt = 'rt1') => ({ ts: at(offset), event: 'refresh', conn: 'gh', trigger: 'proactive', outcome: 'unpersisted', status: 200, error: 'not_stored', error_description: 'the database connection was lost', rt_fp: rt, new_rt_fp: 'rt-lost', at_fp: 'at-lost', generation: 4, pid, host });

const table: RuleCase[] = [
  { name: 'ok and failed refresh of the same token, other pid, 1 s apart → a race, not a revocation', input: { connections: [gh], events: [ok(-10 * minute, 1), bad(-10 * minute + 1000, 2)] }, expected: [] },
  { name: 'same token, other host, same pid → a race, not a revocation', input: { connections: [gh], events: [ok(-10 * minute, 1, 'a'), bad(-10 * minute + 500, 1, 'b')] }, expected: [] },
  { name: 'loser first, winner just after → a race, not a revocation', input: { connections: [gh], events: [bad(-10 * minute, 2), ok(-10 * minute + 800, 1)] }, expected: [] },
  {
    name: 'same process twice (its own retry) → not a race; revoked',
    input: { connections: [gh], events: [ok(-10 * minute, 1), bad(-10 * minute + 1000, 1)] },
    expected: [revoked('gh', 'active', [2], 'gh: refresh at 08:50:01 UTC by pid 1 on h1 failed with bad_refresh_token: the provider revoked or expired the refresh token; no race, not idle')],
  },
  { name: '90 s apart → not a race; revoked', input: { connections: [gh], events: [ok(-10 * minute, 1), bad(-10 * minute + 90_000, 2)] }, expected: [revoked('gh', 'active', [2])] },
  { name: 'different refresh tokens → not a race; revoked', input: { connections: [gh], events: [ok(-10 * minute, 1), bad(-10 * minute + 1000, 2, 'h1', 'rt0')] }, expected: [revoked('gh', 'active', [2])] },
  { name: 'revoked, then a later successful refresh → resolved', input: { connections: [gh], events: [bad(-20 * minute, 2, 'h1', 'rt0'), ok(-10 * minute, 1)] }, expected: [revoked('gh', 'resolved', [1, 2], /; resolved at 08:50:00 UTC: refresh ok by pid 1 on h1$/)] },
  {
    name: 'revoked, then a successful login → resolved',
    input: { connections: [gh], events: [bad(-20 * minute, 2), { ts: at(-5 * minute), event: 'login', conn: 'gh', method: 'device', outcome: 'ok', identity: 'bot' }] },
    expected: [revoked('gh', 'resolved', [1, 2], /; resolved at 08:55:00 UTC: logged in as bot by pid 100 on h1$/)],
  },
  { name: 'a failed login does not resolve it', input: { connections: [gh], events: [bad(-20 * minute, 2), { ts: at(-5 * minute), event: 'login', conn: 'gh', method: 'device', outcome: 'error', error: 'access_denied' }] }, expected: [revoked('gh', 'active', [1])] },
  { name: 'a client error is not a revocation', input: { connections: [gh], events: [bad(-5 * minute, 2, 'h1', 'rt1', 'incorrect_client_credentials')] }, expected: [] },
  { name: 'a rate-limit error is not a revocation', input: { connections: [gh], events: [bad(-5 * minute, 2, 'h1', 'rt1', 'slow_down')] }, expected: [] },
  { name: 'google, last refresh 182 days before the failure → revoked, not idle', input: { connections: [conn({ name: 'g', provider: 'google', refreshTokenFp: 'r', lastRefreshAt: at(-182 * day) })], events: [{ ...grantFailure, error_description: 'Token has been expired or revoked.' }] }, expected: [revoked('g', 'active', [1])] },
  { name: 'google, last refresh 184 days before → idle, not revoked', input: { connections: [conn({ name: 'g', provider: 'google', refreshTokenFp: 'r', lastRefreshAt: at(-184 * day) })], events: [grantFailure] }, expected: [] },
  { name: 'microsoft AADSTS700082 with no history → idle by its code, not revoked', input: { connections: [conn({ name: 'm', provider: 'microsoft', refreshTokenFp: 'r' })], events: [{ ts: at(-minute), event: 'refresh', conn: 'm', trigger: 'proactive', outcome: 'error', status: 400, error: 'invalid_grant', error_code: 'AADSTS700082' }] }, expected: [] },
  { name: 'slack has no idle window: 400 days idle is still a revocation', input: { connections: [conn({ name: 's', provider: 'slack', refreshTokenFp: 'r', lastRefreshAt: at(-400 * day) })], events: [{ ts: at(-minute), event: 'refresh', conn: 's', trigger: 'proactive', outcome: 'error', status: 200, error: 'token_expired' }] }, expected: [revoked('s', 'active', [1])] },
  {
    name: 'six failures: counted since the first, the latest four are the evidence',
    input: { connections: [gh], events: [30, 25, 20, 15, 10, 5].map((m) => bad(-m * minute, 9, 'h1', 'rt0')) },
    expected: [revoked('gh', 'active', [3, 4, 5, 6], /^gh: refresh at 08:55:00 UTC by pid 9 on h1 failed with bad_refresh_token \(6 refreshes failed since 08:30:00 UTC\): the provider revoked or expired the refresh token; no race, not idle$/)],
  },
  {
    name: 'the provider names the reason: account disabled',
    input: { connections: [conn({ name: 'g', provider: 'google', refreshTokenFp: 'r', lastRefreshAt: at(-day) })], events: [{ ...grantFailure, error_description: 'Account not found.' }] },
    expected: [revoked('g', 'active', [1], /failed with invalid_grant: the account is disabled; no race, not idle$/)],
  },
  {
    name: 'a failure only state.json remembers cites state.json',
    input: { connections: [conn({ name: 'gh', provider: 'github', refreshTokenFp: 'rt2', lastRefreshAt: at(-2 * day), lastError: { at: at(-hour), status: 200, error: 'bad_refresh_token' } })] },
    expected: [{ ...revoked('gh', 'active', [0], /^gh: refresh at 08:00:00 UTC by a process failed with bad_refresh_token/), files: ['state.json lastError'] }],
  },
  {
    name: 'github-app: a suspended installation cannot mint → revoked, naming the owner',
    input: { connections: [app], events: [mint(-minute, 'error', { status: 403, error: 'This installation has been suspended' })] },
    expected: [revoked('app', 'active', [1], 'app: GitHub refused to mint an installation token at 08:59:00 UTC (403: This installation has been suspended): an owner of acme must unsuspend or reinstall the app')],
  },
  { name: 'github-app: a later mint that works resolves it', input: { connections: [app], events: [mint(-10 * minute, 'error', { status: 404, error: 'Not Found' }), mint(-minute, 'ok', { status: 201 })] }, expected: [revoked('app', 'resolved', [1, 2])] },
  { name: 'github-app: a 5xx mint failure is not a revocation', input: { connections: [app], events: [mint(-minute, 'error', { status: 502, error: 'Bad Gateway' })] }, expected: [] },
  {
    name: 'a refresh whose new tokens could not be stored, then the next refresh of the same token refused → revoked, and that is the reason',
    input: { connections: [gh], events: [unpersisted(-10 * minute, 7, 'h1'), bad(-2 * minute, 8, 'h2', 'rt1', 'invalid_grant')] },
    expected: [
      revoked(
        'gh',
        'active',
        [1, 2],
        'gh: refresh at 08:58:00 UTC by pid 8 on h2 failed with invalid_grant: the refresh at 08:50:00 UTC by pid 7 on h1 got new tokens that could not be stored (refresh unpersisted: the database connection was lost), so this refresh presented the refresh token already used then; no race, not idle',
      ),
    ],
  },
  { name: 'unpersisted within a second of the refusal, from another host: still not a race (nothing was stored)', input: { connections: [gh], events: [unpersisted(-10 * minute, 7, 'h1'), bad(-10 * minute + 1000, 8, 'h2', 'rt1', 'invalid_grant')] }, expected: [revoked('gh', 'active', [1, 2], /refresh unpersisted/)] },
  { name: 'an unpersisted refresh of another token is not the reason', input: { connections: [gh], events: [unpersisted(-10 * minute, 7, 'h1', 'rt0'), bad(-2 * minute, 8, 'h2', 'rt1', 'invalid_grant')] }, expected: [revoked('gh', 'active', [2], /the provider revoked or expired the refresh token; no race, not idle$/)] },
  { name: 'an unpersisted refresh after the refusal is not its reason', input: { connections: [gh], events: [bad(-10 * minute, 8, 'h2', 'rt1', 'invalid_grant'), unpersisted(-2 * minute, 7, 'h1')] }, expected: [revoked('gh', 'active', [1], /the provider revoked or expired the refresh token/)] },
  { name: 'an unpersisted refresh alone is no finding (the next refresh may well work)', input: { connections: [gh], events: [unpersisted(-10 * minute, 7, 'h1')] }, expected: [] },
  { name: 'unpersisted, refused, then a new login → resolved', input: { connections: [gh], events: [unpersisted(-20 * minute, 7, 'h1'), bad(-15 * minute, 8, 'h2', 'rt1', 'invalid_grant'), { ts: at(-5 * minute), event: 'login', conn: 'gh', method: 'device', outcome: 'ok', identity: 'bot' }] }, expected: [revoked('gh', 'resolved', [1, 2, 3], /refresh unpersisted.*; resolved at 08:55:00 UTC/)] },
  {
    name: 'hostile values (escape sequences, huge pid, 100,000-character fields) → still the revocation, printable evidence',
    input: { connections: [gh], events: [{ ...bad(-minute, Number.MAX_SAFE_INTEGER, '\u001b[2J\u001b]0;pwned\u0007'.repeat(1000), 'r'.repeat(100_000)), error_description: '\u001b[31m\u0000'.repeat(50_000), agent: 'a'.repeat(100_000) }] },
    expected: [revoked('gh', 'active', [1])],
  },
];

describe('refresh-token-revoked', () => {
  for (const { name, input, expected } of table) it(name, () => void expectFindings(refreshTokenRevoked, input, expected));

  it('google: a revocation 7 days after consent points at an app in Testing mode', () => {
    const g = (obtainedDaysAgo: number) => conn({ name: 'g', provider: 'google', refreshTokenFp: 'r', refreshTokenObtainedAt: at(-obtainedDaysAgo * day), lastRefreshAt: at(-minute * 50) });
    const failure = { ...grantFailure, error_description: 'Token has been expired or revoked.' };
    assert.match(check(refreshTokenRevoked, { connections: [g(7.2)], events: [failure] })[0]!.summary, /7 days after consent.*"Testing" mode/);
    assert.doesNotMatch(check(refreshTokenRevoked, { connections: [g(30)], events: [failure] })[0]!.summary, /Testing/);
    expectFindings(refreshTokenRevoked, { connections: [g(7.2)], events: [failure] }, [revoked('g', 'active', [1])]);
  });

  it('asks for a new login while active, nothing once resolved', () => {
    assert.deepEqual(check(refreshTokenRevoked, { connections: [gh], events: [bad(-minute, 1)] })[0]!.actions.map((a) => a.action), ['relogin']);
    assert.deepEqual(check(refreshTokenRevoked, { connections: [gh], events: [bad(-20 * minute, 2, 'h1', 'rt0'), ok(-10 * minute, 1)] })[0]!.actions, []);
    assert.deepEqual(check(refreshTokenRevoked, { connections: [app], events: [mint(-minute, 'error', { status: 403, error: 'This installation has been suspended' })] })[0]!.actions, []);
  });
});
