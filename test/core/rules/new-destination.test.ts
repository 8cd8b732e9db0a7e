import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newDestination } from '../../../src/core/rules/new-destination.js';
import { at, check, conn, day, expectFindings, expecting, hour, minute, type RuleCase } from '../../support/facts.js';

// An agent sent requests to a target it had not used once in the previous 7 days. Acknowledged, not resolved.

const fresh = expecting('new-destination', 'warning');
const gh = conn({ name: 'gh', provider: 'github', account: 'bot' });
const req = (offset: number, target: string, agent = 'a1', more: Record<string, unknown> = {}) => ({ ts: at(offset), event: 'request', conn: 'gh', method: 'GET', target, path: '/', status: 200, agent, ...more });

const table: RuleCase[] = [
  {
    name: 'a target unseen in the agent\'s previous 7 days',
    input: { connections: [gh], events: [req(-3 * day, 'api.github.com'), req(-2 * hour, 'paste.example')] },
    expected: [fresh('gh', 'active', [2], 'gh: agent a1 sent 1 request to paste.example, never seen from it in the previous 7 days (first at 07:00:00 UTC, GET /)')],
  },
  { name: 'seen 3 days ago → quiet', input: { connections: [gh], events: [req(-3 * day, 'paste.example'), req(-2 * hour, 'paste.example')] }, expected: [] },
  { name: 'no history for the agent → nothing to compare with', input: { connections: [gh], events: [req(-2 * hour, 'paste.example')] }, expected: [] },
  { name: 'another agent\'s history does not count', input: { connections: [gh], events: [req(-3 * day, 'paste.example', 'a2'), req(-3 * day, 'api.github.com'), req(-2 * hour, 'paste.example')] }, expected: [fresh('gh', 'active', [3])] },
  { name: 'seen only 9 days ago is outside the 7-day baseline', input: { connections: [gh], events: [req(-9 * day, 'paste.example'), req(-3 * day, 'api.github.com'), req(-2 * hour, 'paste.example')] }, expected: [fresh('gh', 'active', [3])] },
  { name: 'targets are matched without case', input: { connections: [gh], events: [req(-3 * day, 'Paste.Example'), req(-2 * hour, 'paste.example')] }, expected: [] },
  {
    name: 'five requests in the last day: counted, the first three are the evidence',
    input: { connections: [gh], events: [req(-3 * day, 'api.github.com'), ...[20, 10, 5, 3, 1].map((h) => req(-h * hour, 'paste.example', 'a1', { method: 'PUT', path: '/upload' }))] },
    expected: [fresh('gh', 'active', [2, 3, 4], /^gh: agent a1 sent 5 requests to paste\.example, never seen from it in the previous 7 days \(first at 13:00:00 UTC, PUT \/upload\)$/)],
  },
  { name: 'first sent 30 hours ago: no longer in the last day, so it is history', input: { connections: [gh], events: [req(-3 * day, 'api.github.com'), req(-30 * hour, 'paste.example'), req(-2 * hour, 'paste.example')] }, expected: [] },
  {
    name: 'the same new target from two connections: one finding each',
    input: { connections: [gh, conn({ name: 'sl', provider: 'slack' })], events: [req(-3 * day, 'api.github.com'), req(-2 * hour, 'paste.example'), { ...req(-hour, 'paste.example'), conn: 'sl' }] },
    expected: [fresh('gh', 'active', [2]), fresh('sl', 'active', [3], /^sl: agent a1 sent 1 request to paste\.example/)],
  },
  { name: 'requests of a connection not in state.json are ignored', input: { connections: [gh], events: [req(-3 * day, 'api.github.com'), { ...req(-2 * hour, 'paste.example'), conn: 'ghost' }] }, expected: [] },
  { name: 'a request without an agent is compared with other agent-less requests', input: { connections: [gh], events: [{ ...req(-3 * day, 'api.github.com'), agent: undefined }, { ...req(-2 * hour, 'paste.example'), agent: undefined }] }, expected: [fresh('gh', 'active', [2], /^gh: agent \(no agent\) sent 1 request/)] },
  {
    name: 'hostile values (escape sequences, 100,000-character target and agent) → still the finding, printable evidence',
    input: { connections: [gh], events: [req(-3 * day, 'api.github.com', '\u001b[2J'.repeat(20_000)), req(-2 * hour, `\u001b]0;pwned\u0007${'t'.repeat(100_000)}`, '\u001b[2J'.repeat(20_000), { path: '\u009b'.repeat(100_000) })] },
    expected: [fresh('gh', 'active', [2])],
  },
];

describe('new-destination', () => {
  for (const { name, input, expected } of table) it(name, () => void expectFindings(newDestination, input, expected));

  it('offers to acknowledge it', () => {
    const [f] = check(newDestination, { connections: [gh], events: [req(-3 * day, 'api.github.com'), req(-2 * hour, 'paste.example')] });
    assert.deepEqual(f!.actions.map((a) => a.action), ['acknowledge']);
  });
  it('an acknowledgement that has not run out hides it', () => {
    const acked = conn({ name: 'gh', provider: 'github', acknowledgements: [{ id: 'new-destination', until: at(7 * day), by: 'me@host' }] });
    assert.deepEqual(check(newDestination, { connections: [acked], events: [req(-3 * day, 'api.github.com'), req(-2 * hour + minute, 'paste.example')] }), []);
  });
});
