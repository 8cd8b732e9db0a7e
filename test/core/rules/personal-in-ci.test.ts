import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { personalInCi } from '../../../src/core/rules/personal-in-ci.js';
import { at, check, conn, expectFindings, expecting, minute, type RuleCase } from '../../support/facts.js';

// A personal credential handed to a caller in CI. It holds while the connection is personal: nothing resolves it.

const inCi = expecting('personal-in-ci', 'warning');
const personal = conn({ name: 'p', provider: 'github', kind: 'personal', account: 'alice' });
const token = (offset: number, ci: boolean | undefined, more: Record<string, unknown> = {}) => ({ ts: at(offset), event: 'token', conn: 'p', at_fp: 'x', generation: 1, ...(ci === undefined ? {} : { ci }), ...more });

const refusedToken = (offset: number) => ({ ts: at(offset), event: 'token', conn: 'p', outcome: 'refused', reason: 'personal-in-ci', ci: true });
const refusedByServe = (offset: number) => ({ ts: at(offset), event: 'request', conn: 'p', method: 'GET', target: 'broker', path: '/v1/token/p', status: 403, outcome: 'refused', reason: 'personal-connection-for-ci', agent: 'release', ci: true });

const table: RuleCase[] = [
  { name: 'asked for by CI and refused (broker token): still named, the policy holds', input: { connections: [personal], events: [refusedToken(-minute)] }, expected: [inCi('p', 'active', [1], 'p: personal credential of alice asked for by CI once (last at 08:59:00 UTC by pid 100 on h1)')] },
  { name: 'refused by serve to a --ci agent, then handed out with --allow-personal-in-ci', input: { connections: [personal], events: [refusedByServe(-3 * minute), { ...token(-minute, true), allowed: 'personal-in-ci' }] }, expected: [inCi('p', 'active', [1, 2], /^p: personal credential of alice handed to CI 2 times, 1 of them refused \(last at 08:59:00 UTC to pid 100 on h1\)$/)] },
  { name: 'personal token to a CI caller', input: { connections: [conn({ name: 'p', provider: 'github', kind: 'personal' })], events: [token(-minute, true)] }, expected: [inCi('p', 'active', [1], 'p: personal credential handed to CI once (last at 08:59:00 UTC to pid 100 on h1)')] },
  { name: 'a service connection in CI is the point', input: { connections: [conn({ name: 'p', provider: 'github' })], events: [token(-minute, true)] }, expected: [] },
  { name: 'personal outside CI → quiet', input: { connections: [conn({ name: 'p', provider: 'github', kind: 'personal' })], events: [token(-minute, false)] }, expected: [] },
  { name: 'no ci field → not CI', input: { connections: [personal], events: [token(-minute, undefined)] }, expected: [] },
  {
    name: 'five hand-outs to CI among others: all counted, the latest three are the evidence',
    input: { connections: [personal], events: [token(-9 * minute, true), token(-8 * minute, false), token(-7 * minute, true), token(-6 * minute, true), token(-5 * minute, true, { agent: 'deploy-bot', host: 'ci-3', pid: 4412 }), token(-4 * minute, false), token(-3 * minute, true)] },
    expected: [inCi('p', 'active', [4, 5, 7], 'p: personal credential of alice handed to CI 5 times (last at 08:57:00 UTC to pid 100 on h1)')],
  },
  { name: 'hand-outs of a connection not in state.json are ignored', input: { connections: [personal], events: [{ ...token(-minute, true), conn: 'ghost' }] }, expected: [] },
  { name: 'a request from CI is not a hand-out', input: { connections: [personal], events: [{ ts: at(-minute), event: 'request', conn: 'p', method: 'GET', target: 'api.github.com', path: '/', status: 200, ci: true }] }, expected: [] },
  {
    name: 'hostile values (escape sequences, 100,000-character agent and host) → still the finding, printable evidence',
    input: { connections: [personal], events: [token(-minute, true, { agent: `\u001b[2J\u001b]0;pwned\u0007${'a'.repeat(100_000)}`, host: '\u009b'.repeat(100_000), at_fp: '\u0000'.repeat(1000), generation: Number.MAX_SAFE_INTEGER, pid: Number.MIN_SAFE_INTEGER })] },
    expected: [inCi('p', 'active', [1])],
  },
];

describe('personal-in-ci', () => {
  for (const { name, input, expected } of table) it(name, () => void expectFindings(personalInCi, input, expected));

  it('runs nothing: the fix is a service connection', () => {
    assert.deepEqual(check(personalInCi, { connections: [personal], events: [token(-minute, true)] })[0]!.actions, []);
  });
});
