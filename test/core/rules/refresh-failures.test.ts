import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { idleRevoked } from '../../../src/core/rules/idle-revoked.js';
import { refreshRace } from '../../../src/core/rules/refresh-race.js';
import { refreshTokenRevoked } from '../../../src/core/rules/refresh-token-revoked.js';
import type { Rule } from '../../../src/core/findings.js';
import { at, check, conn, day, diagnoseAll, found, minute, type FactsInput } from '../../support/facts.js';

// The same invalid_grant body, told apart by timing and history (refresh-race, idle-revoked, refresh-token-revoked).

const gh = conn({ name: 'gh', provider: 'github', refreshTokenFp: 'rt2', lastRefreshAt: at(-2 * day) });
const ok = (offset: number, pid: number, host = 'h1', rt = 'rt1') => ({ ts: at(offset), event: 'refresh', conn: 'gh', trigger: 'reactive', outcome: 'ok', status: 200, rt_fp: rt, new_rt_fp: 'rt2', pid, host });
const bad = (offset: number, pid: number, host = 'h1', rt = 'rt1', error = 'bad_refresh_token') => ({ ts: at(offset), event: 'refresh', conn: 'gh', trigger: 'reactive', outcome: 'error', status: 200, error, rt_fp: rt, pid, host });

const table: Array<[string, FactsInput, Record<string, string[]>]> = [
  ['ok and failed refresh of the same token, other pid, 1 s apart → race', { connections: [gh], events: [ok(-10 * minute, 1), bad(-10 * minute + 1000, 2)] }, { race: ['gh critical'], revoked: [], idle: [] }],
  ['same token, other host, same pid → race', { connections: [gh], events: [ok(-10 * minute, 1, 'a'), bad(-10 * minute + 500, 1, 'b')] }, { race: ['gh critical'], revoked: [], idle: [] }],
  ['loser first, winner just after → still a race', { connections: [gh], events: [bad(-10 * minute, 2), ok(-10 * minute + 800, 1)] }, { race: ['gh critical'], revoked: [], idle: [] }],
  ['same process twice (its own retry) → not a race; revoked', { connections: [gh], events: [ok(-10 * minute, 1), bad(-10 * minute + 1000, 1)] }, { race: [], revoked: ['gh critical'], idle: [] }],
  ['90 s apart → not a race; revoked', { connections: [gh], events: [ok(-10 * minute, 1), bad(-10 * minute + 90_000, 2)] }, { race: [], revoked: ['gh critical'], idle: [] }],
  ['different refresh tokens → not a race; revoked', { connections: [gh], events: [ok(-10 * minute, 1), bad(-10 * minute + 1000, 2, 'h1', 'rt0')] }, { race: [], revoked: ['gh critical'], idle: [] }],
  ['revoked, then a later successful refresh → resolved', { connections: [gh], events: [bad(-20 * minute, 2, 'h1', 'rt0'), ok(-10 * minute, 1)] }, { race: [], revoked: ['gh critical resolved'], idle: [] }],
  ['revoked, then a successful login → resolved', { connections: [gh], events: [bad(-20 * minute, 2), { ts: at(-5 * minute), event: 'login', conn: 'gh', method: 'device', outcome: 'ok', identity: 'bot' }] }, { race: [], revoked: ['gh critical resolved'], idle: [] }],
  ['a client error is neither race nor revocation', { connections: [gh], events: [bad(-5 * minute, 2, 'h1', 'rt1', 'incorrect_client_credentials')] }, { race: [], revoked: [], idle: [] }],
  ['a rate-limit error is neither', { connections: [gh], events: [bad(-5 * minute, 2, 'h1', 'rt1', 'slow_down')] }, { race: [], revoked: [], idle: [] }],
];

const idleCases: Array<[string, FactsInput, Record<string, string[]>]> = [
  ['google, last refresh 182 days before the failure → revoked, not idle', { connections: [conn({ name: 'g', provider: 'google', refreshTokenFp: 'r', lastRefreshAt: at(-182 * day) })], events: [{ ts: at(-minute), event: 'refresh', conn: 'g', trigger: 'proactive', outcome: 'error', status: 400, error: 'invalid_grant', error_description: 'Token has been expired or revoked.', rt_fp: 'r' }] }, { race: [], revoked: ['g critical'], idle: [] }],
  ['google, last refresh 184 days before → idle', { connections: [conn({ name: 'g', provider: 'google', refreshTokenFp: 'r', lastRefreshAt: at(-184 * day) })], events: [{ ts: at(-minute), event: 'refresh', conn: 'g', trigger: 'proactive', outcome: 'error', status: 400, error: 'invalid_grant', rt_fp: 'r' }] }, { race: [], revoked: [], idle: ['g critical'] }],
  ['microsoft AADSTS700082 with no history → idle by its code', { connections: [conn({ name: 'm', provider: 'microsoft', refreshTokenFp: 'r' })], events: [{ ts: at(-minute), event: 'refresh', conn: 'm', trigger: 'proactive', outcome: 'error', status: 400, error: 'invalid_grant', error_code: 'AADSTS700082' }] }, { race: [], revoked: [], idle: ['m critical'] }],
  ['slack has no idle window: 400 days idle is still a revocation', { connections: [conn({ name: 's', provider: 'slack', refreshTokenFp: 'r', lastRefreshAt: at(-400 * day) })], events: [{ ts: at(-minute), event: 'refresh', conn: 's', trigger: 'proactive', outcome: 'error', status: 200, error: 'token_expired' }] }, { race: [], revoked: ['s critical'], idle: [] }],
];

const rules: Record<string, Rule> = { race: refreshRace, revoked: refreshTokenRevoked, idle: idleRevoked };

describe('refresh failures: race, idle or revoked', () => {
  for (const [name, input, expected] of [...table, ...idleCases]) {
    it(name, () => {
      for (const [which, rule] of Object.entries(rules)) assert.deepEqual(found(rule, input), expected[which], `${which}`);
    });
  }

  it('a race summary names both processes, the time and the error; the winner and loser are the evidence', () => {
    const [finding] = check(refreshRace, { connections: [gh], events: [ok(-10 * minute, 4412, 'agent-2'), bad(-10 * minute + 600, 3120, 'agent-1')] });
    assert.equal(finding?.summary, 'gh: 2 processes refreshed the same token at 08:50:00 UTC; pid 3120 on agent-1 lost with bad_refresh_token; GitHub may revoke the whole token family on reuse: if the next refresh fails, log in again');
    assert.deepEqual(finding?.evidence.map((e) => e.line), [1, 2]);
    assert.deepEqual(finding?.actions.map((a) => a.action), ['refresh', 'relogin']);
  });

  it('google: a revocation 7 days after consent points at an app in Testing mode', () => {
    const g = (obtainedDaysAgo: number) => conn({ name: 'g', provider: 'google', refreshTokenFp: 'r', refreshTokenObtainedAt: at(-obtainedDaysAgo * day), lastRefreshAt: at(-minute * 50) });
    const failure = { ts: at(-minute), event: 'refresh', conn: 'g', trigger: 'proactive', outcome: 'error', status: 400, error: 'invalid_grant', error_description: 'Token has been expired or revoked.', rt_fp: 'r' };
    assert.match(check(refreshTokenRevoked, { connections: [g(7.2)], events: [failure] })[0]!.summary, /7 days after consent.*"Testing" mode/);
    assert.doesNotMatch(check(refreshTokenRevoked, { connections: [g(30)], events: [failure] })[0]!.summary, /Testing/);
  });

  it('a failure only state.json remembers (lastError, nothing in the window) is still a finding, citing state.json', () => {
    const graph = conn({ name: 'graph', provider: 'microsoft', refreshTokenFp: 'r', clientSecretSource: 'env:GRAPH_SECRET', clientSecretFp: 'aaaaaaaaaaaa', lastRefreshAt: at(-3 * day), lastError: { at: at(-2 * day), status: 401, error: 'invalid_client', description: 'AADSTS7000215: Invalid client secret provided.', code: 'AADSTS7000215' } });
    const [finding, ...more] = diagnoseAll({ connections: [graph] });
    assert.deepEqual(more, []);
    assert.equal(finding?.id, 'client-secret-rotated');
    assert.equal(finding?.state, 'active');
    assert.equal(finding?.evidence[0]?.file, 'state.json lastError');
    assert.match(finding!.summary, /AADSTS7000215/);
  });

  it('a lastError older than the last refresh is history: no finding', () => {
    const graph = conn({ name: 'graph', provider: 'microsoft', refreshTokenFp: 'r', lastRefreshAt: at(-day), lastError: { at: at(-2 * day), status: 400, error: 'invalid_grant' } });
    assert.deepEqual(diagnoseAll({ connections: [graph] }), []);
  });

  it('counts exactly the processes that raced, not the later calls that failed on the revoked family', () => {
    const o = conn({ name: 'o', provider: 'oidc', issuer: 'https://id.example', refreshTokenFp: 'rt2' });
    const refresh = (offset: number, pid: number, outcome: string, rt: string, more: Record<string, unknown> = {}) => ({ ts: at(offset), event: 'refresh', conn: 'o', trigger: 'proactive', outcome, rt_fp: rt, pid, host: 'h1', ...more });
    const events = [
      refresh(-10 * minute, 1, 'ok', 'rt1', { new_rt_fp: 'rt2' }),
      refresh(-10 * minute + 300, 2, 'error', 'rt1', { status: 400, error: 'invalid_grant' }),
      ...[3, 4, 5, 6].map((pid, i) => refresh(-9 * minute + i * 1000, pid, 'error', 'rt2', { status: 400, error: 'invalid_grant' })),
    ];
    const [finding] = check(refreshRace, { connections: [o], events });
    assert.match(finding!.summary, /^o: 2 processes refreshed the same token at 08:50:00 UTC; pid 2 on h1 lost with invalid_grant; OpenID Connect revoked the whole token family \(4 later refreshes with the winner's token failed\)/);
    assert.equal(finding!.state, 'active');
    assert.deepEqual(finding!.actions.map((a) => a.action), ['relogin', 'refresh']);
  });

  it('a race ends with the next refresh that succeeds (not the winner\'s own), then it is resolved with that refresh as the last evidence', () => {
    const events = [ok(-10 * minute, 1), bad(-10 * minute + 600, 2), { ...ok(-2 * minute, 3, 'h1', 'rt2'), new_rt_fp: 'rt3' }];
    const [finding] = check(refreshRace, { connections: [gh], events });
    assert.equal(finding!.state, 'resolved');
    assert.equal(finding!.resolvedAt, at(-2 * minute));
    assert.deepEqual(finding!.evidence.map((e) => e.line), [1, 2, 3]);
    assert.deepEqual(finding!.actions, []);
    assert.match(finding!.summary, /resolved at 08:58:00 UTC: refresh ok by pid 3 on h1$/);
  });

  it('microsoft does not revoke the family: no such warning after a race', () => {
    const ms = conn({ name: 'gh', provider: 'microsoft', refreshTokenFp: 'rt2' });
    const [finding] = check(refreshRace, { connections: [ms], events: [ok(-10 * minute, 1), bad(-10 * minute + 600, 2, 'h1', 'rt1', 'invalid_grant')] });
    assert.doesNotMatch(finding!.summary, /family/);
  });
});
