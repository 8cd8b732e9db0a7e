import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { staleToken } from '../../../src/core/rules/stale-token.js';
import { at, check, conn, expectFindings, expecting, minute, type RuleCase } from '../../support/facts.js';

// A process kept an access token from before the last refresh and is answered 401 with it.

const stale = expecting('stale-token', 'error');
const gh = conn({ name: 'gh', provider: 'github', generation: 5, accessTokenFp: 'at5' });
const req = (offset: number, status: number, more: Record<string, unknown> = {}) => ({ ts: at(offset), event: 'request', conn: 'gh', method: 'GET', target: 'api.github.com', path: '/repos/acme/infra', status, at_fp: 'at5', ...more });
const handedOut = (offset: number, fp = 'at4', generation = 4, more: Record<string, unknown> = {}) => ({ ts: at(offset), event: 'token', conn: 'gh', at_fp: fp, generation, ...more });
const refreshedTo5 = (offset: number) => ({ ts: at(offset), event: 'refresh', conn: 'gh', trigger: 'proactive', outcome: 'ok', status: 200, at_fp: 'at5', generation: 5, rt_fp: 'r4', new_rt_fp: 'r5' });

const table: RuleCase[] = [
  { name: '401 with an older generation', input: { connections: [gh], events: [handedOut(-60 * minute), req(-minute, 401, { at_fp: 'at4' })] }, expected: [stale('gh', 'active', [2])] },
  { name: '401 with the current token is not stale', input: { connections: [gh], events: [req(-minute, 401, { at_fp: 'at5' })] }, expected: [] },
  { name: 'an unknown fingerprint proves nothing', input: { connections: [gh], events: [req(-minute, 401, { at_fp: 'zzz' })] }, expected: [] },
  {
    name: 'the holder picked up the new token since → resolved',
    input: { connections: [gh], events: [handedOut(-60 * minute), req(-10 * minute, 401, { at_fp: 'at4' }), req(-minute, 200, { at_fp: 'at5' })] },
    expected: [stale('gh', 'resolved', [2, 3], /; resolved at 08:59:00 UTC: GET \/repos\/acme\/infra answered 200$/)],
  },
  {
    name: 'the refresh to the current generation is cited first',
    input: { connections: [gh], events: [handedOut(-60 * minute), refreshedTo5(-30 * minute), req(-minute, 401, { at_fp: 'at4' })] },
    expected: [stale('gh', 'active', [2, 3], 'gh: pid 100 on h1 still sends the generation-4 access token (fp at4) after the refresh to generation 5 at 08:30:00 UTC; 1 request answered 401 since 08:59:00 UTC')],
  },
  {
    name: 'two holders of the old token: both named, both counted',
    input: { connections: [gh], events: [handedOut(-60 * minute), req(-3 * minute, 401, { at_fp: 'at4', pid: 1 }), req(-2 * minute, 401, { at_fp: 'at4', pid: 2, host: 'h2' })] },
    expected: [stale('gh', 'active', [2, 3], /^gh: pid 1 on h1, pid 2 on h2 still sends the generation-4 access token \(fp at4\) after the refresh to generation 5; 2 requests answered 401 since 08:57:00 UTC$/)],
  },
  { name: 'six 401s from one holder: counted, the latest four are the evidence', input: { connections: [gh], events: [handedOut(-60 * minute), ...[6, 5, 4, 3, 2, 1].map((m) => req(-m * minute, 401, { at_fp: 'at4' }))] }, expected: [stale('gh', 'active', [4, 5, 6, 7], /6 requests answered 401 since 08:54:00 UTC$/)] },
  { name: 'a success with the same old token is no pick-up', input: { connections: [gh], events: [handedOut(-60 * minute), req(-10 * minute, 401, { at_fp: 'at4' }), req(-minute, 200, { at_fp: 'at4' })] }, expected: [stale('gh', 'active', [2])] },
  { name: 'another process succeeding with the new token does not end this one', input: { connections: [gh], events: [handedOut(-60 * minute), req(-10 * minute, 401, { at_fp: 'at4' }), req(-minute, 200, { at_fp: 'at5', pid: 7 })] }, expected: [stale('gh', 'active', [2])] },
  {
    name: 'one holder picked up, another still stale → active, citing only the stale one',
    input: { connections: [gh], events: [handedOut(-60 * minute), req(-10 * minute, 401, { at_fp: 'at4', pid: 1 }), req(-9 * minute, 401, { at_fp: 'at4', pid: 2 }), req(-minute, 200, { at_fp: 'at5', pid: 1 })] },
    expected: [stale('gh', 'active', [3], /^gh: pid 2 on h1 still sends/)],
  },
  { name: 'a 401 with a newer generation than state.json knows is not stale', input: { connections: [gh], events: [handedOut(-60 * minute, 'at9', 9), req(-minute, 401, { at_fp: 'at9' })] }, expected: [] },
  { name: 'requests of a connection not in state.json are ignored', input: { connections: [gh], events: [{ ...handedOut(-60 * minute), conn: 'ghost' }, { ...req(-minute, 401, { at_fp: 'at4' }), conn: 'ghost' }] }, expected: [] },
  {
    name: 'hostile values (escape sequences in the fingerprint and host, a huge generation, 100,000 characters) → still the finding, printable evidence',
    input: {
      connections: [gh],
      events: [
        handedOut(-60 * minute, `\u001b[2J${'f'.repeat(100_000)}`, 4),
        handedOut(-59 * minute, 'big', Number.MAX_SAFE_INTEGER),
        req(-minute, 401, { at_fp: `\u001b[2J${'f'.repeat(100_000)}`, host: '\u001b]0;pwned\u0007'.repeat(1000), pid: Number.MAX_SAFE_INTEGER }),
        req(-minute, 401, { at_fp: 'big' }),
      ],
    },
    expected: [stale('gh', 'active', [3])],
  },
];

describe('stale-token', () => {
  for (const { name, input, expected } of table) it(name, () => void expectFindings(staleToken, input, expected));

  it('offers to restart the holder while active, nothing once resolved', () => {
    assert.deepEqual(check(staleToken, { connections: [gh], events: [handedOut(-60 * minute), req(-minute, 401, { at_fp: 'at4' })] })[0]!.actions.map((a) => a.action), ['restart-holder']);
    assert.deepEqual(check(staleToken, { connections: [gh], events: [handedOut(-60 * minute), req(-10 * minute, 401, { at_fp: 'at4' }), req(-minute, 200, { at_fp: 'at5' })] })[0]!.actions, []);
  });
});
