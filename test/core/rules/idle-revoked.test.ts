import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { idleRevoked } from '../../../src/core/rules/idle-revoked.js';
import { at, check, conn, day, expectFindings, expecting, hour, minute, type RuleCase } from '../../support/facts.js';

// A refused grant after the refresh token sat unused past the provider's idle window (or the provider says so).

const idle = expecting('idle-revoked', 'critical');
const gh = conn({ name: 'gh', provider: 'github', refreshTokenFp: 'rt2', lastRefreshAt: at(-2 * day) });
const ok = (offset: number, pid: number, host = 'h1', rt = 'rt1') => ({ ts: at(offset), event: 'refresh', conn: 'gh', trigger: 'reactive', outcome: 'ok', status: 200, rt_fp: rt, new_rt_fp: 'rt2', pid, host });
const bad = (offset: number, pid: number, host = 'h1', rt = 'rt1', error = 'bad_refresh_token') => ({ ts: at(offset), event: 'refresh', conn: 'gh', trigger: 'reactive', outcome: 'error', status: 200, error, rt_fp: rt, pid, host });
const google = (lastRefreshDaysAgo: number) => conn({ name: 'g', provider: 'google', refreshTokenFp: 'r', lastRefreshAt: at(-lastRefreshDaysAgo * day) });
const grantFailure = (offset = -minute) => ({ ts: at(offset), event: 'refresh', conn: 'g', trigger: 'proactive', outcome: 'error', status: 400, error: 'invalid_grant', rt_fp: 'r' });
const login = (offset: number) => ({ ts: at(offset), event: 'login', conn: 'g', method: 'browser', outcome: 'ok', identity: 'me@example.com' });

const table: RuleCase[] = [
  { name: 'ok and failed refresh of the same token, other pid, 1 s apart → a race, not idle', input: { connections: [gh], events: [ok(-10 * minute, 1), bad(-10 * minute + 1000, 2)] }, expected: [] },
  { name: 'same token, other host, same pid → a race, not idle', input: { connections: [gh], events: [ok(-10 * minute, 1, 'a'), bad(-10 * minute + 500, 1, 'b')] }, expected: [] },
  { name: 'loser first, winner just after → a race, not idle', input: { connections: [gh], events: [bad(-10 * minute, 2), ok(-10 * minute + 800, 1)] }, expected: [] },
  { name: 'same process twice → revoked, not idle', input: { connections: [gh], events: [ok(-10 * minute, 1), bad(-10 * minute + 1000, 1)] }, expected: [] },
  { name: '90 s apart → revoked, not idle', input: { connections: [gh], events: [ok(-10 * minute, 1), bad(-10 * minute + 90_000, 2)] }, expected: [] },
  { name: 'different refresh tokens → revoked, not idle', input: { connections: [gh], events: [ok(-10 * minute, 1), bad(-10 * minute + 1000, 2, 'h1', 'rt0')] }, expected: [] },
  { name: 'revoked, then a later successful refresh → not idle', input: { connections: [gh], events: [bad(-20 * minute, 2, 'h1', 'rt0'), ok(-10 * minute, 1)] }, expected: [] },
  { name: 'revoked, then a successful login → not idle', input: { connections: [gh], events: [bad(-20 * minute, 2), { ts: at(-5 * minute), event: 'login', conn: 'gh', method: 'device', outcome: 'ok', identity: 'bot' }] }, expected: [] },
  { name: 'a client error is not idle', input: { connections: [gh], events: [bad(-5 * minute, 2, 'h1', 'rt1', 'incorrect_client_credentials')] }, expected: [] },
  { name: 'a rate-limit error is not idle', input: { connections: [gh], events: [bad(-5 * minute, 2, 'h1', 'rt1', 'slow_down')] }, expected: [] },
  { name: 'google, last refresh 182 days before the failure → revoked, not idle', input: { connections: [google(182)], events: [{ ...grantFailure(), error_description: 'Token has been expired or revoked.' }] }, expected: [] },
  {
    name: 'google, last refresh 184 days before → idle',
    input: { connections: [google(184)], events: [grantFailure()] },
    // 184 days less the minute before the failure: 183 whole days.
    expected: [idle('g', 'active', [1], 'g: refresh token unused for 183 days since 2026-05-22 09:00:00 UTC (Google revokes after 183 days unused); refresh at 08:59:00 UTC failed with invalid_grant')],
  },
  {
    name: 'microsoft AADSTS700082 with no history → idle by its code',
    input: { connections: [conn({ name: 'm', provider: 'microsoft', refreshTokenFp: 'r' })], events: [{ ts: at(-minute), event: 'refresh', conn: 'm', trigger: 'proactive', outcome: 'error', status: 400, error: 'invalid_grant', error_code: 'AADSTS700082' }] },
    expected: [idle('m', 'active', [1], 'm: Microsoft Entra ID says the refresh token expired from inactivity (Microsoft Entra ID revokes after 90 days unused); refresh at 08:59:00 UTC failed with AADSTS700082')],
  },
  { name: 'slack has no idle window: 400 days idle is still a revocation', input: { connections: [conn({ name: 's', provider: 'slack', refreshTokenFp: 'r', lastRefreshAt: at(-400 * day) })], events: [{ ts: at(-minute), event: 'refresh', conn: 's', trigger: 'proactive', outcome: 'error', status: 200, error: 'token_expired' }] }, expected: [] },
  { name: 'idle, then a new login → resolved', input: { connections: [google(184)], events: [grantFailure(-hour), login(-10 * minute)] }, expected: [idle('g', 'resolved', [1, 2], /; resolved at 08:50:00 UTC: logged in as me@example\.com by pid 100 on h1$/)] },
  { name: 'three idle failures: the latest is the evidence', input: { connections: [google(184)], events: [grantFailure(-3 * hour), grantFailure(-2 * hour), grantFailure(-hour)] }, expected: [idle('g', 'active', [3])] },
  {
    name: 'the failure carries its own idle evidence after a re-login moved state.json on',
    input: { connections: [google(0.01)], events: [{ ...grantFailure(-hour), rt_last_used_at: at(-200 * day) }, login(-50 * minute)] },
    expected: [idle('g', 'resolved', [1, 2], /^g: refresh token unused for 199 days since 2026-05-06 09:00:00 UTC/)],
  },
  {
    name: 'hostile values (escape sequences, an unparsable rt_last_used_at, 100,000-character fields) → still idle, printable evidence',
    input: { connections: [google(184)], events: [{ ...grantFailure(), rt_last_used_at: '1e300', error_description: '\u001b]8;;http://evil\u0007click\u001b]8;;\u0007'.repeat(5000), host: '\u009b2J'.repeat(30_000), pid: Number.MIN_SAFE_INTEGER }] },
    expected: [idle('g', 'active', [1])],
  },
];

describe('idle-revoked', () => {
  for (const { name, input, expected } of table) it(name, () => void expectFindings(idleRevoked, input, expected));

  it('offers a new login (only: a keep-alive would present the revoked token again) while active', () => {
    assert.deepEqual(check(idleRevoked, { connections: [google(184)], events: [grantFailure()] })[0]!.actions.map((a) => a.action), ['relogin']);
  });
});
