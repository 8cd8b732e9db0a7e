import { describe, it } from 'node:test';
import { providerUnreachable } from '../../../src/core/rules/provider-unreachable.js';
import { at, conn, expectFindings, expecting, minute, type RuleCase } from '../../support/facts.js';

// No usable answer from the provider (a probe that ran out of time, a failed connection, a 5xx):
// not a credential problem, named so that nobody re-logs in for an outage.

const unreachable = expecting('provider-unreachable', 'error');
const o = conn({ name: 'o', provider: 'oidc', issuer: 'https://id.example', refreshTokenFp: 'r' });
const probe = (offset: number, outcome: string, more: Record<string, unknown> = {}) => ({ ts: at(offset), event: 'probe', conn: 'o', check: 'token-endpoint', outcome, ...more });
const refresh = (offset: number, outcome: string, more: Record<string, unknown> = {}) => ({ ts: at(offset), event: 'refresh', conn: 'o', trigger: 'proactive', outcome, ...more });
const timeout = { error: 'timeout', error_description: "no answer within the probe's 2 s" };

const table: RuleCase[] = [
  { name: 'a probe that ran out of time', input: { connections: [o], events: [probe(-minute, 'error', timeout)] }, expected: [unreachable('o', 'active', [1], "o: OpenID Connect gave no usable answer to the token-endpoint probe at 08:59:00 UTC (no answer within the probe's 2 s): not a credential problem, but nothing can be refreshed until it answers")] },
  { name: 'a refresh whose connection failed, then a 503', input: { connections: [o], events: [refresh(-3 * minute, 'error', { error: 'network_error', error_description: 'ECONNREFUSED' }), refresh(-minute, 'error', { status: 503, error: 'temporarily_unavailable' })] }, expected: [unreachable('o', 'active', [1, 2], /to a refresh at 08:59:00 UTC \(HTTP 503 temporarily_unavailable\); 2 attempts without an answer since 08:57:00 UTC/)] },
  { name: 'ended by a later answer: resolved at it', input: { connections: [o], events: [probe(-5 * minute, 'error', timeout), probe(-minute, 'ok')] }, expected: [unreachable('o', 'resolved', [1, 2], /; resolved at 08:59:00 UTC: probe token-endpoint ok/)] },
  { name: 'a refused credential is an answer, not an outage', input: { connections: [o], events: [refresh(-minute, 'error', { status: 400, error: 'invalid_grant' }), probe(-minute, 'error', { status: 401, error: 'invalid_client' })] }, expected: [] },
  { name: 'an answer before the failure does not end it', input: { connections: [o], events: [refresh(-9 * minute, 'ok'), probe(-minute, 'error', timeout)] }, expected: [unreachable('o', 'active', [2])] },
  { name: 'a new outage after a resolved one is active again, counted from its own start', input: { connections: [o], events: [probe(-9 * minute, 'error', timeout), probe(-8 * minute, 'ok'), probe(-minute, 'error', timeout)] }, expected: [unreachable('o', 'active', [3], /^o: .* at 08:59:00 UTC \(no answer within the probe's 2 s\): not a credential/)] },
  { name: 'a connection not in state.json is ignored', input: { connections: [o], events: [{ ...probe(-minute, 'error', timeout), conn: 'ghost' }] }, expected: [] },
  {
    name: 'hostile values (escape sequences, 100,000-character descriptions) → no throw, printable evidence',
    input: { connections: [o], events: [probe(-minute, 'error', { error: 'timeout', error_description: `\u001b]0;pwned\u0007${'x'.repeat(100_000)}`, host: '\u009b2J' })] },
    expected: [unreachable('o', 'active', [1])],
  },
];

describe('provider-unreachable', () => {
  for (const { name, input, expected } of table) it(name, () => void expectFindings(providerUnreachable, input, expected));
});
