import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { refreshRace } from '../../../src/core/rules/refresh-race.js';
import { at, conn, day, expectFindings, expecting, minute, type RuleCase } from '../../support/facts.js';

// The same invalid_grant is a lost race only when another process refreshed the same token within a minute.

const race = expecting('refresh-race', 'critical');
const gh = conn({ name: 'gh', provider: 'github', refreshTokenFp: 'rt2', lastRefreshAt: at(-2 * day) });
const ok = (offset: number, pid: number, host = 'h1', rt = 'rt1') => ({ ts: at(offset), event: 'refresh', conn: 'gh', trigger: 'reactive', outcome: 'ok', status: 200, rt_fp: rt, new_rt_fp: 'rt2', pid, host });
const bad = (offset: number, pid: number, host = 'h1', rt = 'rt1', error = 'bad_refresh_token') => ({ ts: at(offset), event: 'refresh', conn: 'gh', trigger: 'reactive', outcome: 'error', status: 200, error, rt_fp: rt, pid, host });
const grantFailure = { ts: at(-minute), event: 'refresh', conn: 'g', trigger: 'proactive', outcome: 'error', status: 400, error: 'invalid_grant', rt_fp: 'r' };

const table: RuleCase[] = [
  { name: 'ok and failed refresh of the same token, other pid, 1 s apart → race', input: { connections: [gh], events: [ok(-10 * minute, 1), bad(-10 * minute + 1000, 2)] }, expected: [race('gh', 'active', [1, 2])] },
  { name: 'same token, other host, same pid → race', input: { connections: [gh], events: [ok(-10 * minute, 1, 'a'), bad(-10 * minute + 500, 1, 'b')] }, expected: [race('gh', 'active', [1, 2])] },
  // The winner's own success, read after its loser, does not end the race.
  { name: 'loser first, winner just after → still a race', input: { connections: [gh], events: [bad(-10 * minute, 2), ok(-10 * minute + 800, 1)] }, expected: [race('gh', 'active', [1, 2])] },
  { name: 'same process twice (its own retry) → not a race', input: { connections: [gh], events: [ok(-10 * minute, 1), bad(-10 * minute + 1000, 1)] }, expected: [] },
  { name: '90 s apart → not a race', input: { connections: [gh], events: [ok(-10 * minute, 1), bad(-10 * minute + 90_000, 2)] }, expected: [] },
  { name: 'different refresh tokens → not a race', input: { connections: [gh], events: [ok(-10 * minute, 1), bad(-10 * minute + 1000, 2, 'h1', 'rt0')] }, expected: [] },
  // The provider answered it, but nothing was stored: no process holds a winner's token to adopt.
  { name: 'the same token refreshed on another host a second earlier but unpersisted → not a race', input: { connections: [gh], events: [{ ...ok(-10 * minute, 1, 'a'), outcome: 'unpersisted' }, bad(-10 * minute + 1000, 2, 'b')] }, expected: [] },
  { name: 'revoked, then a later successful refresh → no race', input: { connections: [gh], events: [bad(-20 * minute, 2, 'h1', 'rt0'), ok(-10 * minute, 1)] }, expected: [] },
  { name: 'revoked, then a successful login → no race', input: { connections: [gh], events: [bad(-20 * minute, 2), { ts: at(-5 * minute), event: 'login', conn: 'gh', method: 'device', outcome: 'ok', identity: 'bot' }] }, expected: [] },
  { name: 'a client error is not a race', input: { connections: [gh], events: [bad(-5 * minute, 2, 'h1', 'rt1', 'incorrect_client_credentials')] }, expected: [] },
  { name: 'a rate-limit error is not a race', input: { connections: [gh], events: [bad(-5 * minute, 2, 'h1', 'rt1', 'slow_down')] }, expected: [] },
  { name: 'google, last refresh 182 days before the failure → not a race', input: { connections: [conn({ name: 'g', provider: 'google', refreshTokenFp: 'r', lastRefreshAt: at(-182 * day) })], events: [{ ...grantFailure, error_description: 'Token has been expired or revoked.' }] }, expected: [] },
  { name: 'google, last refresh 184 days before → not a race', input: { connections: [conn({ name: 'g', provider: 'google', refreshTokenFp: 'r', lastRefreshAt: at(-184 * day) })], events: [grantFailure] }, expected: [] },
  { name: 'microsoft AADSTS700082 with no history → not a race', input: { connections: [conn({ name: 'm', provider: 'microsoft', refreshTokenFp: 'r' })], events: [{ ts: at(-minute), event: 'refresh', conn: 'm', trigger: 'proactive', outcome: 'error', status: 400, error: 'invalid_grant', error_code: 'AADSTS700082' }] }, expected: [] },
  { name: 'slack has no idle window: 400 days idle is still no race', input: { connections: [conn({ name: 's', provider: 'slack', refreshTokenFp: 'r', lastRefreshAt: at(-400 * day) })], events: [{ ts: at(-minute), event: 'refresh', conn: 's', trigger: 'proactive', outcome: 'error', status: 200, error: 'token_expired' }] }, expected: [] },
  { name: 'the same token on two connections is not a race', input: { connections: [gh, conn({ name: 'gh2', provider: 'github', refreshTokenFp: 'rt2' })], events: [ok(-10 * minute, 1), { ...bad(-10 * minute + 1000, 2), conn: 'gh2' }] }, expected: [] },
  { name: 'events of a connection that is not in state.json are ignored', input: { connections: [gh], events: [{ ...ok(-10 * minute, 1), conn: 'ghost' }, { ...bad(-10 * minute + 1000, 2), conn: 'ghost' }] }, expected: [] },
  {
    name: 'one race among two connections is reported on its own connection',
    input: { connections: [conn({ name: 'a', provider: 'github', refreshTokenFp: 'rt2' }), gh], events: [{ ...ok(-20 * minute, 7), conn: 'a', rt_fp: 'x1' }, ok(-10 * minute, 1), bad(-10 * minute + 1000, 2)] },
    expected: [race('gh', 'active', [2, 3])],
  },
  {
    name: 'eight losers: every process is counted, the first six lines are the evidence',
    input: { connections: [gh], events: [ok(-10 * minute, 1), ...[2, 3, 4, 5, 6, 7, 8, 9].map((pid) => bad(-10 * minute + pid * 100, pid))] },
    expected: [race('gh', 'active', [1, 2, 3, 4, 5, 6], /^gh: 9 processes refreshed the same token at 08:50:00 UTC; pid 2 on h1 lost with bad_refresh_token;/)],
  },
  {
    name: 'a race resolved by a later login',
    input: { connections: [gh], events: [ok(-10 * minute, 1), bad(-10 * minute + 600, 2), { ts: at(-3 * minute), event: 'login', conn: 'gh', method: 'browser', outcome: 'ok', identity: 'bot', pid: 5 }] },
    expected: [race('gh', 'resolved', [1, 2, 3], /; resolved at 08:57:00 UTC: logged in as bot by pid 5 on h1$/)],
  },
  {
    name: 'hostile values (escape sequences, huge pid, 100,000-character fields) → still the race, printable evidence',
    input: {
      connections: [gh],
      events: [
        { ...ok(-10 * minute, Number.MAX_SAFE_INTEGER, '\u001b[2J\u001b]0;pwned\u0007'), rt_fp: 'r'.repeat(100_000), agent: '\u009b31m'.repeat(20_000) },
        { ...bad(-10 * minute + 1000, -1, 'h'.repeat(100_000)), rt_fp: 'r'.repeat(100_000), error_description: '\u001b[31m'.repeat(50_000) },
      ],
    },
    expected: [race('gh', 'active', [1, 2])],
  },
];

describe('refresh-race', () => {
  for (const { name, input, expected } of table) it(name, () => void expectFindings(refreshRace, input, expected));

  it('a race summary names both processes, the time and the error; the winner and loser are the evidence', () => {
    const [finding] = expectFindings(refreshRace, { connections: [gh], events: [ok(-10 * minute, 4412, 'agent-2'), bad(-10 * minute + 600, 3120, 'agent-1')] }, [
      race('gh', 'active', [1, 2], 'gh: 2 processes refreshed the same token at 08:50:00 UTC; pid 3120 on agent-1 lost with bad_refresh_token; GitHub may revoke the whole token family on reuse: if the next refresh fails, log in again'),
    ]);
    assert.deepEqual(finding?.evidence.map((e) => e.line), [1, 2]);
    assert.deepEqual(finding?.actions.map((a) => a.action), ['refresh', 'relogin']);
  });

  it('counts exactly the processes that raced, not the later calls that failed on the revoked family', () => {
    const o = conn({ name: 'o', provider: 'oidc', issuer: 'https://id.example', refreshTokenFp: 'rt2' });
    const refresh = (offset: number, pid: number, outcome: string, rt: string, more: Record<string, unknown> = {}) => ({ ts: at(offset), event: 'refresh', conn: 'o', trigger: 'proactive', outcome, rt_fp: rt, pid, host: 'h1', ...more });
    const events = [
      refresh(-10 * minute, 1, 'ok', 'rt1', { new_rt_fp: 'rt2' }),
      refresh(-10 * minute + 300, 2, 'error', 'rt1', { status: 400, error: 'invalid_grant' }),
      ...[3, 4, 5, 6].map((pid, i) => refresh(-9 * minute + i * 1000, pid, 'error', 'rt2', { status: 400, error: 'invalid_grant' })),
    ];
    const [finding] = expectFindings(refreshRace, { connections: [o], events }, [race('o', 'active', [1, 2, 3, 4, 5, 6])]);
    assert.match(finding!.summary, /^o: 2 processes refreshed the same token at 08:50:00 UTC; pid 2 on h1 lost with invalid_grant; OpenID Connect revoked the whole token family \(4 later refreshes with the winner's token failed\)/);
    assert.equal(finding!.state, 'active');
    // The family is gone: a refresh could only be refused again, so the login alone is offered.
    assert.deepEqual(finding!.actions.map((a) => a.action), ['relogin']);
  });

  it('a race ends with the next refresh that succeeds (not the winner\'s own), then it is resolved with that refresh as the last evidence', () => {
    const events = [ok(-10 * minute, 1), bad(-10 * minute + 600, 2), { ...ok(-2 * minute, 3, 'h1', 'rt2'), new_rt_fp: 'rt3' }];
    const [finding] = expectFindings(refreshRace, { connections: [gh], events }, [race('gh', 'resolved', [1, 2, 3])]);
    assert.equal(finding!.state, 'resolved');
    assert.equal(finding!.resolvedAt, at(-2 * minute));
    assert.deepEqual(finding!.evidence.map((e) => e.line), [1, 2, 3]);
    assert.deepEqual(finding!.actions, []);
    assert.match(finding!.summary, /resolved at 08:58:00 UTC: refresh ok by pid 3 on h1$/);
  });

  it('microsoft does not revoke the family: no such warning after a race', () => {
    const ms = conn({ name: 'gh', provider: 'microsoft', refreshTokenFp: 'rt2' });
    const [finding] = expectFindings(refreshRace, { connections: [ms], events: [ok(-10 * minute, 1), bad(-10 * minute + 600, 2, 'h1', 'rt1', 'invalid_grant')] }, [race('gh', 'active', [1, 2])]);
    assert.doesNotMatch(finding!.summary, /family/);
  });
});
