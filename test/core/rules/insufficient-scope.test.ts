import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { insufficientScope } from '../../../src/core/rules/insufficient-scope.js';
import { at, check, conn, expectFindings, expecting, minute, type RuleCase } from '../../support/facts.js';

// A request the token is not allowed to make: the scope or app permission is missing, in the provider's own words.

const scope = expecting('insufficient-scope', 'error');
const gh = conn({ name: 'gh', provider: 'github', generation: 5, accessTokenFp: 'at5' });
const app = conn({ name: 'app', provider: 'github-app', appId: 1, installation: { id: 7, account: 'acme' } });
const req = (c: string, offset: number, status: number, more: Record<string, unknown> = {}) => ({ ts: at(offset), event: 'request', conn: c, method: 'GET', target: 'api.github.com', path: '/repos/acme/infra', status, at_fp: 'at5', ...more });
const needsWorkflow = { 'x-oauth-scopes': 'repo', 'x-accepted-oauth-scopes': 'workflow' };

const table: RuleCase[] = [
  {
    name: '403 wanting a scope the token lacks',
    input: { connections: [gh], events: [req('gh', -minute, 403, needsWorkflow)] },
    expected: [scope('gh', 'active', [1], 'gh: GET api.github.com/repos/acme/infra answered 403 at 08:59:00 UTC; it needs scope workflow, the token has repo')],
  },
  { name: 'one accepted scope is granted → not a scope problem', input: { connections: [gh], events: [req('gh', -minute, 403, { 'x-oauth-scopes': 'repo, workflow', 'x-accepted-oauth-scopes': 'workflow' })] }, expected: [] },
  { name: 'GitHub App permission header', input: { connections: [app], events: [req('app', -minute, 403, { 'x-accepted-github-permissions': 'contents=write' })] }, expected: [scope('app', 'active', [1], /; the app needs permission contents=write$/)] },
  { name: 'a bare 403 proves nothing', input: { connections: [gh], events: [req('gh', -minute, 403)] }, expected: [] },
  { name: 'a rate-limited 403 is not a scope problem', input: { connections: [gh], events: [req('gh', -minute, 403, { 'x-ratelimit-remaining': '0', 'x-accepted-oauth-scopes': 'workflow' })] }, expected: [] },
  {
    name: 'settled by a later success on the same path',
    input: { connections: [gh], events: [req('gh', -5 * minute, 403, { 'x-accepted-oauth-scopes': 'workflow' }), req('gh', -minute, 200)] },
    expected: [scope('gh', 'resolved', [1, 2], /; it needs scope workflow, the token has none; resolved at 08:59:00 UTC: GET \/repos\/acme\/infra answered 200$/)],
  },
  { name: 'Slack missing_scope in a 200', input: { connections: [conn({ name: 'sl', provider: 'slack' })], events: [req('sl', -minute, 200, { target: 'slack.com', path: '/api/chat.postMessage', error: 'missing_scope' })] }, expected: [scope('sl', 'active', [1], /^sl: GET slack\.com\/api\/chat\.postMessage answered 200 at 08:59:00 UTC; the provider says: missing_scope$/)] },
  { name: '"Resource not accessible by integration" kept as the message only', input: { connections: [app], events: [req('app', -minute, 403, { error_description: 'Resource not accessible by integration' })] }, expected: [scope('app', 'active', [1], /the provider says: Resource not accessible by integration$/)] },
  { name: 'a 403 "Not Found"-style message proves nothing', input: { connections: [gh], events: [req('gh', -minute, 403, { error_description: 'Must have admin rights to Repository.' })] }, expected: [] },
  { name: 'a 404 is not a scope problem', input: { connections: [gh], events: [req('gh', -minute, 404, needsWorkflow)] }, expected: [] },
  { name: 'a success on another path settles nothing', input: { connections: [gh], events: [req('gh', -5 * minute, 403, needsWorkflow), req('gh', -minute, 200, { path: '/user' })] }, expected: [scope('gh', 'active', [1])] },
  { name: 'denied again after the success (a re-login that lost the scope) → a new episode, active', input: { connections: [gh], events: [req('gh', -9 * minute, 403, needsWorkflow), req('gh', -5 * minute, 200), req('gh', -minute, 403, needsWorkflow)] }, expected: [scope('gh', 'active', [3])] },
  {
    name: 'one path settled, another still denied → active, citing only the open one',
    input: { connections: [gh], events: [req('gh', -9 * minute, 403, needsWorkflow), req('gh', -8 * minute, 403, { ...needsWorkflow, path: '/repos/acme/infra/actions' }), req('gh', -minute, 200)] },
    expected: [scope('gh', 'active', [2], /^gh: GET api\.github\.com\/repos\/acme\/infra\/actions answered 403/)],
  },
  {
    name: 'every path settled → resolved at the latest success',
    input: { connections: [gh], events: [req('gh', -9 * minute, 403, needsWorkflow), req('gh', -8 * minute, 403, { ...needsWorkflow, path: '/b' }), req('gh', -3 * minute, 200, { path: '/b' }), req('gh', -2 * minute, 200)] },
    expected: [scope('gh', 'resolved', [1, 2, 4], /resolved at 08:58:00 UTC: GET \/repos\/acme\/infra answered 200$/)],
  },
  { name: 'seven denials of one path: the latest five are the evidence', input: { connections: [gh], events: [7, 6, 5, 4, 3, 2, 1].map((m) => req('gh', -m * minute, 403, needsWorkflow)) }, expected: [scope('gh', 'active', [3, 4, 5, 6, 7])] },
  { name: 'requests of a connection not in state.json are ignored', input: { connections: [gh], events: [req('ghost', -minute, 403, needsWorkflow)] }, expected: [] },
  {
    name: 'hostile values (escape sequences in headers, a 100,000-character path) → still the finding, printable evidence',
    input: { connections: [gh], events: [req('gh', -minute, 403, { 'x-oauth-scopes': '\u001b[2J '.repeat(20_000), 'x-accepted-oauth-scopes': `\u001b]0;pwned\u0007 ${'w'.repeat(100_000)}`, path: `/\u009b31m${'p'.repeat(100_000)}` })] },
    expected: [scope('gh', 'active', [1])],
  },
];

describe('insufficient-scope', () => {
  for (const { name, input, expected } of table) it(name, () => void expectFindings(insufficientScope, input, expected));

  it('asks for a new login with the scope while active, nothing once resolved', () => {
    assert.deepEqual(check(insufficientScope, { connections: [gh], events: [req('gh', -minute, 403, needsWorkflow)] })[0]!.actions.map((a) => a.action), ['relogin']);
    assert.deepEqual(check(insufficientScope, { connections: [gh], events: [req('gh', -5 * minute, 403, needsWorkflow), req('gh', -minute, 200)] })[0]!.actions, []);
  });
});
