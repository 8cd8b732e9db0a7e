import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accessExpired } from '../../../src/core/rules/access-expired.js';
import { at, check, conn, expectFindings, expecting, hour, minute, type RuleCase } from '../../support/facts.js';

// The access token has expired and there is no refresh token to renew it. Only state.json changes that: nothing resolves it.

const expired = expecting('access-expired', 'error');
const linear = conn({ name: 'x', provider: 'linear', accessTokenExpiresAt: at(-hour) });
const token = (offset: number, more: Record<string, unknown> = {}) => ({ ts: at(offset), event: 'token', conn: 'x', at_fp: 'a1', generation: 1, ...more });
const req = (offset: number, status: number, more: Record<string, unknown> = {}) => ({ ts: at(offset), event: 'request', conn: 'x', method: 'POST', target: 'api.linear.app', path: '/graphql', status, ...more });

const table: RuleCase[] = [
  { name: 'expired, no refresh token', input: { connections: [linear] }, expected: [expired('x', 'active', [], 'x: access token expired at 2026-11-22 08:00:00 UTC (1 hour ago) and there is no refresh token to renew it')] },
  { name: 'a refresh token will renew it', input: { connections: [conn({ name: 'x', provider: 'linear', accessTokenExpiresAt: at(-hour), refreshTokenFp: 'r' })] }, expected: [] },
  { name: 'GitHub App tokens are minted again', input: { connections: [conn({ name: 'x', provider: 'github-app', accessTokenExpiresAt: at(-hour) })] }, expected: [] },
  { name: 'not yet expired', input: { connections: [conn({ name: 'x', provider: 'linear', accessTokenExpiresAt: at(hour) })] }, expected: [] },
  { name: 'no expiry known → nothing to say', input: { connections: [conn({ name: 'x', provider: 'linear' })], events: [req(-minute, 401)] }, expected: [] },
  { name: 'the latest hand-out or 401 is the evidence', input: { connections: [linear], events: [token(-3 * hour), req(-2 * hour, 401), token(-90 * minute), req(-30 * minute, 401), req(-20 * minute, 200)] }, expected: [expired('x', 'active', [4])] },
  { name: 'a hand-out logged out of order: the latest by time wins', input: { connections: [linear], events: [token(-10 * minute), token(-50 * minute)] }, expected: [expired('x', 'active', [1])] },
  { name: 'uses of another connection are not cited', input: { connections: [linear, conn({ name: 'y', provider: 'linear' })], events: [{ ...token(-minute), conn: 'y' }, { ...token(-2 * minute), conn: 'ghost' }] }, expected: [expired('x', 'active', [])] },
  {
    name: 'hostile values (escape sequences, a 100,000-character path) → still the finding, printable evidence',
    input: { connections: [linear], events: [req(-minute, 401, { path: `/\u001b[2J\u001b]0;pwned\u0007${'p'.repeat(100_000)}`, target: '\u009b'.repeat(100_000), duration_ms: 1e300, at_fp: 'f'.repeat(100_000) })] },
    expected: [expired('x', 'active', [1])],
  },
];

describe('access-expired', () => {
  for (const { name, input, expected } of table) it(name, () => void expectFindings(accessExpired, input, expected));

  it('asks for a new login', () => {
    assert.deepEqual(check(accessExpired, { connections: [linear] })[0]!.actions.map((a) => a.action), ['relogin']);
  });
});
