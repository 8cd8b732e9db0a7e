import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { wrongInstallation } from '../../../src/core/rules/wrong-installation.js';
import { at, check, conn, expectFindings, expecting, minute, type RuleCase } from '../../support/facts.js';

// A GitHub App installation asked for repositories of an owner it is not installed on.

const wrong = expecting('wrong-installation', 'error');
const gh = conn({ name: 'gh', provider: 'github', generation: 5, accessTokenFp: 'at5' });
const app = conn({ name: 'app', provider: 'github-app', appId: 1, installation: { id: 7, account: 'acme' } });
const req = (c: string, offset: number, status: number, more: Record<string, unknown> = {}) => ({ ts: at(offset), event: 'request', conn: c, method: 'GET', target: 'api.github.com', path: '/repos/acme/infra', status, at_fp: 'at5', ...more });
const other = (offset: number, status: number, more: Record<string, unknown> = {}) => req('app', offset, status, { path: '/repos/other/infra', ...more });

const rebound = conn({ name: 'app', provider: 'github-app', appId: 1, installation: { id: 8, account: 'other' } });

const table: RuleCase[] = [
  { name: 'a 404 on the owner it is bound to now, even after a 200 there, is a missing repository → quiet', input: { connections: [rebound], events: [other(-9 * minute, 404), other(-minute, 200)] }, expected: [] },
  {
    name: '404 on another owner',
    input: { connections: [app], events: [other(-minute, 404)] },
    expected: [wrong('app', 'active', [1], 'app: 1 request for repositories of other answered 404 (last GET /repos/other/infra at 08:59:00 UTC by pid 100 on h1); installation 7 belongs to acme')],
  },
  { name: '404 on the installation\'s own owner (a missing repo) → quiet', input: { connections: [app], events: [req('app', -minute, 404, { path: '/repos/ACME/gone' })] }, expected: [] },
  { name: '422 "not accessible to the parent installation" → finding', input: { connections: [app], events: [other(-minute, 422, { error_description: 'There is at least one repository that does not exist or is not accessible to the parent installation.' })] }, expected: [wrong('app', 'active', [1], /answered 422/)] },
  { name: 'another 422 is not about the installation', input: { connections: [app], events: [other(-minute, 422, { error_description: 'Validation Failed' })] }, expected: [] },
  { name: 'an OAuth connection is never about installations', input: { connections: [gh], events: [req('gh', -minute, 404, { path: '/repos/other/infra' })] }, expected: [] },
  { name: 'a path that names no owner proves nothing', input: { connections: [app], events: [req('app', -minute, 404, { path: '/installation/repositories' })] }, expected: [] },
  { name: 'refused by the broker before it was sent', input: { connections: [app], events: [other(-minute, 0, { outcome: 'refused', reason: 'wrong-installation' })] }, expected: [wrong('app', 'active', [1], /^app: 1 request for repositories of other were refused by the broker \(last GET/)] },
  { name: 'refused for a missing scope is not an installation problem', input: { connections: [app], events: [other(-minute, 403, { outcome: 'refused', reason: 'insufficient-scope' })] }, expected: [] },
  {
    name: 'a later success for the same owner (after a rebind) → resolved',
    input: { connections: [app], events: [other(-10 * minute, 404), other(-minute, 200)] },
    expected: [wrong('app', 'resolved', [1, 2], /; resolved at 08:59:00 UTC: GET \/repos\/other\/infra answered 200$/)],
  },
  {
    name: 'refused as another installation\'s, then rebound to it and served → resolved, the night kept',
    input: {
      connections: [conn({ ...app, installation: { id: 8, account: 'other' } })],
      events: [other(-10 * minute, 0, { outcome: 'refused', reason: 'wrong-installation' }), other(-minute, 200)],
    },
    expected: [wrong('app', 'resolved', [1, 2], /^app: 1 request for repositories of other were refused by the broker .*; it is now bound to installation 8 of other; resolved at 08:59:00 UTC/)],
  },
  {
    name: 'a 404 on the owner it is bound to now, even if served later, is no wrong installation',
    input: { connections: [conn({ ...app, installation: { id: 8, account: 'other' } })], events: [other(-10 * minute, 404), other(-minute, 200)] },
    expected: [],
  },
  { name: 'missed again after the success → a new episode, active, only the new miss', input: { connections: [app], events: [other(-10 * minute, 404), other(-5 * minute, 200), other(-minute, 404)] }, expected: [wrong('app', 'active', [3], /^app: 1 request for/)] },
  { name: 'a success for another owner resolves nothing', input: { connections: [app], events: [other(-10 * minute, 404), req('app', -minute, 200)] }, expected: [wrong('app', 'active', [1])] },
  { name: 'a 200 carrying an error word is not a success', input: { connections: [app], events: [other(-10 * minute, 404), other(-minute, 200, { error: 'not_found' })] }, expected: [wrong('app', 'active', [1])] },
  {
    name: 'one owner served, another still missed → active, citing only the open one',
    input: { connections: [app], events: [other(-10 * minute, 404), req('app', -9 * minute, 404, { path: '/repos/third/x' }), other(-minute, 200)] },
    expected: [wrong('app', 'active', [2], /^app: 1 request for repositories of third answered 404/)],
  },
  {
    name: 'seven misses for two owners: counted in all, the latest five are the evidence',
    input: { connections: [app], events: [...[9, 8, 7, 6].map((m) => other(-m * minute, 404)), ...[5, 4, 3].map((m) => req('app', -m * minute, 404, { path: '/repos/Third/x' }))] },
    expected: [wrong('app', 'active', [3, 4, 5, 6, 7], /^app: 7 requests for repositories of other, Third answered 404 \(last GET \/repos\/Third\/x at 08:57:00 UTC/)],
  },
  { name: 'owners are matched without case', input: { connections: [app], events: [other(-10 * minute, 404), req('app', -5 * minute, 404, { path: '/repos/OTHER/y' })] }, expected: [wrong('app', 'active', [1, 2], /^app: 2 requests for repositories of other answered 404/)] },
  { name: 'requests of a connection not in state.json are ignored', input: { connections: [app], events: [{ ...other(-minute, 404), conn: 'ghost' }] }, expected: [] },
  {
    name: 'hostile values (escape sequences in the owner, a 100,000-character path) → still the finding, printable evidence',
    input: { connections: [app], events: [other(-minute, 404, { path: `/repos/\u001b[31mevil\u0007/${'x'.repeat(100_000)}`, method: '\u001b[2J', host: '\u009b'.repeat(10_000) })] },
    expected: [wrong('app', 'active', [1])],
  },
];

describe('wrong-installation', () => {
  for (const { name, input, expected } of table) it(name, () => void expectFindings(wrongInstallation, input, expected));

  it('offers the rebind while active, nothing once resolved', () => {
    assert.deepEqual(check(wrongInstallation, { connections: [app], events: [other(-minute, 404)] })[0]!.actions.map((a) => a.action), ['rebind-installation']);
    assert.deepEqual(check(wrongInstallation, { connections: [app], events: [other(-10 * minute, 404), other(-minute, 200)] })[0]!.actions, []);
  });
});
