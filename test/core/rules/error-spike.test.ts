import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorSpike } from '../../../src/core/rules/error-spike.js';
import { at, check, conn, expectFindings, expecting, hour, minute, type RuleCase } from '../../support/facts.js';

// Most requests to one target failing in the last hour, far above that target's baseline.

const spike = expecting('error-spike', 'warning');
const lin = conn({ name: 'lin', provider: 'linear' });
const series = (from: number, count: number, every: number, status: (i: number) => number, more: Record<string, unknown> = {}) =>
  Array.from({ length: count }, (_, i) => ({ ts: at(from + i * every), event: 'request', conn: 'lin', method: 'POST', target: 'api.linear.app', path: '/graphql', status: status(i), ...more }));
const cleanBaseline = series(-6 * hour, 60, 5 * minute, () => 200);

const table: RuleCase[] = [
  // Lines 1–60 are the clean baseline; 61–75 the last hour, where 62 is the first error and 75 the last.
  { name: '12 of 15 failing in the last hour after a clean baseline → spike', input: { connections: [lin], events: [...cleanBaseline, ...series(-45 * minute, 15, 3 * minute, (i) => (i % 5 === 0 ? 200 : 502))] }, expected: [spike('lin', 'active', [62, 75])] },
  { name: '9 errors are not enough', input: { connections: [lin], events: [...series(-45 * minute, 9, 3 * minute, () => 502)] }, expected: [] },
  { name: 'an always-failing target is its baseline, not a spike', input: { connections: [lin], events: [...series(-6 * hour, 60, 5 * minute, (i) => (i % 5 === 0 ? 200 : 500)), ...series(-45 * minute, 15, 3 * minute, (i) => (i % 5 === 0 ? 200 : 500))] }, expected: [] },
  { name: 'rate limits are not errors here', input: { connections: [lin], events: series(-45 * minute, 15, 3 * minute, () => 429) }, expected: [] },
  { name: '10 errors, all failing, no earlier requests → spike', input: { connections: [lin], events: series(-30 * minute, 10, minute, () => 503) }, expected: [spike('lin', 'active', [1, 10], 'lin: 10 of 10 requests to api.linear.app failed in the last hour (100%; no earlier requests in the window): 503 ×10')] },
  { name: '10 errors in the same millisecond: the first and the last line read are the evidence', input: { connections: [lin], events: series(-30 * minute, 10, 0, () => 500) }, expected: [spike('lin', 'active', [1, 10])] },
  { name: 'errors two hours ago are history, not the last hour', input: { connections: [lin], events: series(-3 * hour, 15, minute, () => 502) }, expected: [] },
  { name: 'half of the last hour failing is enough', input: { connections: [lin], events: series(-40 * minute, 20, minute, (i) => (i % 2 === 0 ? 502 : 200)) }, expected: [spike('lin', 'active', [1, 19], /failed in the last hour \(50%;/)] },
  { name: 'just under half failing is not a spike', input: { connections: [lin], events: series(-40 * minute, 21, minute, (i) => (i % 2 === 1 ? 502 : 200)) }, expected: [] },
  {
    name: 'of two targets only the failing one is named',
    input: { connections: [lin], events: [...series(-50 * minute, 12, minute, () => 502), ...series(-50 * minute, 12, minute, () => 200, { target: 'uploads.linear.app' })] },
    expected: [spike('lin', 'active', [1, 12], /^lin: 12 of 12 requests to api\.linear\.app failed/)],
  },
  { name: 'refused requests were never sent and do not count', input: { connections: [lin], events: series(-30 * minute, 12, minute, () => 0, { outcome: 'refused' }) }, expected: [] },
  { name: 'requests of a connection not in state.json are ignored', input: { connections: [lin], events: series(-30 * minute, 12, minute, () => 502, { conn: 'ghost' }) }, expected: [] },
  {
    name: 'hostile values (status 999, escape sequences, a 100,000-character target) → still the spike, printable evidence',
    input: { connections: [lin], events: series(-30 * minute, 12, minute, () => 999, { target: `\u001b[2J\u001b]0;pwned\u0007${'t'.repeat(100_000)}`, path: '\u009b'.repeat(100_000), duration_ms: 1e300 }) },
    expected: [spike('lin', 'active', [1, 12], /999 ×12$/)],
  },
];

describe('error-spike', () => {
  for (const { name, input, expected } of table) it(name, () => void expectFindings(errorSpike, input, expected));

  it('breaks the errors down by status', () => {
    const [f] = check(errorSpike, table[0]!.input);
    assert.match(f!.summary, /^lin: 12 of \d+ requests to api\.linear\.app failed in the last hour \(\d+%; baseline 0% over \d+ requests\): 502 ×12$/);
    assert.deepEqual(f!.actions, []);
  });
  it('orders statuses by how often they came', () => {
    const [f] = check(errorSpike, { connections: [lin], events: series(-30 * minute, 12, minute, (i) => (i < 8 ? 502 : 401)) });
    assert.match(f!.summary, /: 502 ×8, 401 ×4$/);
  });
});
