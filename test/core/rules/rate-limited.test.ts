import { describe, it } from 'node:test';
import { rateLimited } from '../../../src/core/rules/rate-limited.js';
import { at, conn, expectFindings, expecting, minute, T0, type RuleCase } from '../../support/facts.js';

// 403/429 with a rate-limit signal: not an auth failure, said so, nothing to fix.

const limited = expecting('rate-limited', 'info');
const gh = conn({ name: 'gh', provider: 'github', generation: 5, accessTokenFp: 'at5' });
const req = (c: string, offset: number, status: number, more: Record<string, unknown> = {}) => ({ ts: at(offset), event: 'request', conn: c, method: 'GET', target: 'api.github.com', path: '/repos/acme/infra', status, at_fp: 'at5', ...more });
const resetAt = String((T0 + 30 * minute) / 1000);

const table: RuleCase[] = [
  { name: 'remaining 0', input: { connections: [gh], events: [req('gh', -minute, 403, { 'x-ratelimit-remaining': '0' })] }, expected: [limited('gh', 'active', [1], /\(last 403 at 08:59:00 UTC, remaining 0\)/)] },
  {
    name: 'remaining 0 with the reset time',
    input: { connections: [gh], events: [req('gh', -minute, 403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': resetAt })] },
    expected: [limited('gh', 'active', [1], 'gh: api.github.com rate-limited 1 request (last 403 at 08:59:00 UTC, remaining 0, resets 09:30:00 UTC): not an auth failure, the credential is fine')],
  },
  { name: '429 with retry-after', input: { connections: [gh], events: [req('gh', -minute, 429, { 'retry-after': '30' })] }, expected: [limited('gh', 'active', [1], /\(last 429 at 08:59:00 UTC, retry after 30 s\)/)] },
  { name: 'secondary limit message', input: { connections: [gh], events: [req('gh', -minute, 403, { error: 'forbidden', error_description: 'You have exceeded a secondary rate limit.' })] }, expected: [limited('gh', 'active', [1])] },
  { name: 'GitHub secondary limit kept as the message only (as broker api logs it)', input: { connections: [gh], events: [req('gh', -minute, 403, { error_description: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', 'x-ratelimit-remaining': '4211' })] }, expected: [limited('gh', 'active', [1], /remaining 4211\)/)] },
  { name: 'a 403 without any signal is not a rate limit', input: { connections: [gh], events: [req('gh', -minute, 403)] }, expected: [] },
  { name: 'a 200 with remaining 0 is not limited yet', input: { connections: [gh], events: [req('gh', -minute, 200, { 'x-ratelimit-remaining': '0' })] }, expected: [] },
  { name: 'four limited requests: counted, the latest three are the evidence', input: { connections: [gh], events: [4, 3, 2, 1].map((m) => req('gh', -m * minute, 429)) }, expected: [limited('gh', 'active', [2, 3, 4], /^gh: api\.github\.com rate-limited 4 requests \(last 429 at 08:59:00 UTC\)/)] },
  { name: 'each connection on its own', input: { connections: [gh, conn({ name: 'lin', provider: 'linear' })], events: [req('lin', -2 * minute, 429, { target: 'api.linear.app' }), req('gh', -minute, 429)] }, expected: [limited('gh', 'active', [2]), limited('lin', 'active', [1], /^lin: api\.linear\.app rate-limited/)] },
  { name: 'requests of a connection not in state.json are ignored', input: { connections: [gh], events: [req('ghost', -minute, 429)] }, expected: [] },
  {
    name: 'hostile values (x-ratelimit-reset 1e300, escape sequences, 100,000-character fields) → no throw, printable evidence',
    input: { connections: [gh], events: [req('gh', -minute, 429, { 'x-ratelimit-reset': '1e300', 'x-ratelimit-remaining': '\u001b[2J'.repeat(20_000), 'retry-after': '9'.repeat(100_000), target: `\u001b]0;pwned\u0007${'t'.repeat(100_000)}` })] },
    expected: [limited('gh', 'active', [1])],
  },
  { name: 'x-ratelimit-reset past what a number holds (1e400), negative or not a number → no reset shown', input: { connections: [gh], events: ['1e400', '-5', 'NaN', 'soon'].map((reset, i) => req('gh', -(4 - i) * minute, 429, { 'x-ratelimit-reset': reset })) }, expected: [limited('gh', 'active', [2, 3, 4], /\(last 429 at 08:59:00 UTC\): not an auth failure/)] },
];

describe('rate-limited', () => {
  for (const { name, input, expected } of table) it(name, () => void expectFindings(rateLimited, input, expected));
});
