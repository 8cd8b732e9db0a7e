import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorSpike } from '../../../src/core/rules/error-spike.js';
import { insufficientScope } from '../../../src/core/rules/insufficient-scope.js';
import { rateLimited } from '../../../src/core/rules/rate-limited.js';
import { staleToken } from '../../../src/core/rules/stale-token.js';
import { wrongInstallation } from '../../../src/core/rules/wrong-installation.js';
import { at, conn, check, found, minute, type FactsInput } from '../../support/facts.js';

// Rules over `request` events: what the API answered, beyond the status.

const gh = conn({ name: 'gh', provider: 'github', generation: 5, accessTokenFp: 'at5' });
const app = conn({ name: 'app', provider: 'github-app', appId: 1, installation: { id: 7, account: 'acme' } });
const req = (c: string, offset: number, status: number, more: Record<string, unknown> = {}) => ({ ts: at(offset), event: 'request', conn: c, method: 'GET', target: 'api.github.com', path: '/repos/acme/infra', status, at_fp: 'at5', ...more });

const cases: Array<[string, typeof wrongInstallation, FactsInput, string[]]> = [
  ['wrong-installation: 404 on another owner', wrongInstallation, { connections: [app], events: [req('app', -minute, 404, { path: '/repos/other/infra' })] }, ['app error']],
  ['wrong-installation: 404 on the installation\'s own owner (a missing repo) → quiet', wrongInstallation, { connections: [app], events: [req('app', -minute, 404, { path: '/repos/ACME/gone' })] }, []],
  ['wrong-installation: 422 "not accessible to the parent installation" → finding', wrongInstallation, { connections: [app], events: [req('app', -minute, 422, { path: '/repos/other/infra', error_description: 'There is at least one repository that does not exist or is not accessible to the parent installation.' })] }, ['app error']],
  ['wrong-installation: an OAuth connection is never about installations', wrongInstallation, { connections: [gh], events: [req('gh', -minute, 404, { path: '/repos/other/infra' })] }, []],
  ['insufficient-scope: 403 wanting a scope the token lacks', insufficientScope, { connections: [gh], events: [req('gh', -minute, 403, { 'x-oauth-scopes': 'repo', 'x-accepted-oauth-scopes': 'workflow' })] }, ['gh error']],
  ['insufficient-scope: one accepted scope is granted → not a scope problem', insufficientScope, { connections: [gh], events: [req('gh', -minute, 403, { 'x-oauth-scopes': 'repo, workflow', 'x-accepted-oauth-scopes': 'workflow' })] }, []],
  ['insufficient-scope: GitHub App permission header', insufficientScope, { connections: [app], events: [req('app', -minute, 403, { 'x-accepted-github-permissions': 'contents=write' })] }, ['app error']],
  ['insufficient-scope: a bare 403 proves nothing', insufficientScope, { connections: [gh], events: [req('gh', -minute, 403)] }, []],
  ['insufficient-scope: a rate-limited 403 is not a scope problem', insufficientScope, { connections: [gh], events: [req('gh', -minute, 403, { 'x-ratelimit-remaining': '0', 'x-accepted-oauth-scopes': 'workflow' })] }, []],
  ['insufficient-scope: settled by a later success on the same path', insufficientScope, { connections: [gh], events: [req('gh', -5 * minute, 403, { 'x-accepted-oauth-scopes': 'workflow' }), req('gh', -minute, 200)] }, ['gh error resolved']],
  ['insufficient-scope: Slack missing_scope in a 200', insufficientScope, { connections: [conn({ name: 'sl', provider: 'slack' })], events: [req('sl', -minute, 200, { target: 'slack.com', path: '/api/chat.postMessage', error: 'missing_scope' })] }, ['sl error']],
  ['rate-limited: remaining 0', rateLimited, { connections: [gh], events: [req('gh', -minute, 403, { 'x-ratelimit-remaining': '0' })] }, ['gh info']],
  ['rate-limited: 429 with retry-after', rateLimited, { connections: [gh], events: [req('gh', -minute, 429, { 'retry-after': '30' })] }, ['gh info']],
  ['rate-limited: secondary limit message', rateLimited, { connections: [gh], events: [req('gh', -minute, 403, { error: 'forbidden', error_description: 'You have exceeded a secondary rate limit.' })] }, ['gh info']],
  ['rate-limited: GitHub secondary limit kept as the message only (as broker api logs it)', rateLimited, { connections: [gh], events: [req('gh', -minute, 403, { error_description: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', 'x-ratelimit-remaining': '4211' })] }, ['gh info']],
  ['insufficient-scope: "Resource not accessible by integration" kept as the message only', insufficientScope, { connections: [app], events: [req('app', -minute, 403, { error_description: 'Resource not accessible by integration' })] }, ['app error']],
  ['insufficient-scope: a 403 "Not Found"-style message proves nothing', insufficientScope, { connections: [gh], events: [req('gh', -minute, 403, { error_description: 'Must have admin rights to Repository.' })] }, []],
  ['rate-limited: a 403 without any signal is not a rate limit', rateLimited, { connections: [gh], events: [req('gh', -minute, 403)] }, []],
  ['stale-token: 401 with an older generation', staleToken, { connections: [gh], events: [{ ts: at(-60 * minute), event: 'token', conn: 'gh', at_fp: 'at4', generation: 4 }, req('gh', -minute, 401, { at_fp: 'at4' })] }, ['gh error']],
  ['stale-token: 401 with the current token is not stale', staleToken, { connections: [gh], events: [req('gh', -minute, 401, { at_fp: 'at5' })] }, []],
  ['stale-token: an unknown fingerprint proves nothing', staleToken, { connections: [gh], events: [req('gh', -minute, 401, { at_fp: 'zzz' })] }, []],
  ['stale-token: the holder picked up the new token since', staleToken, { connections: [gh], events: [{ ts: at(-60 * minute), event: 'token', conn: 'gh', at_fp: 'at4', generation: 4 }, req('gh', -10 * minute, 401, { at_fp: 'at4' }), req('gh', -minute, 200, { at_fp: 'at5' })] }, ['gh error resolved']],
];

describe('request rules', () => {
  for (const [name, rule, input, expected] of cases) it(name, () => assert.deepEqual(found(rule, input), expected));
});

describe('error-spike', () => {
  const lin = conn({ name: 'lin', provider: 'linear' });
  const series = (from: number, count: number, every: number, status: (i: number) => number) =>
    Array.from({ length: count }, (_, i) => ({ ts: at(from + i * every), event: 'request', conn: 'lin', method: 'POST', target: 'api.linear.app', path: '/graphql', status: status(i) }));
  const table: Array<[string, FactsInput, string[]]> = [
    ['12 of 15 failing in the last hour after a clean baseline → spike', { connections: [lin], events: [...series(-6 * 60 * minute, 60, 5 * minute, () => 200), ...series(-45 * minute, 15, 3 * minute, (i) => (i % 5 === 0 ? 200 : 502))] }, ['lin warning']],
    ['9 errors are not enough', { connections: [lin], events: [...series(-45 * minute, 9, 3 * minute, () => 502)] }, []],
    ['an always-failing target is its baseline, not a spike', { connections: [lin], events: [...series(-6 * 60 * minute, 60, 5 * minute, (i) => (i % 5 === 0 ? 200 : 500)), ...series(-45 * minute, 15, 3 * minute, (i) => (i % 5 === 0 ? 200 : 500))] }, []],
    ['rate limits are not errors here', { connections: [lin], events: series(-45 * minute, 15, 3 * minute, () => 429) }, []],
  ];
  for (const [name, input, expected] of table) it(name, () => assert.deepEqual(found(errorSpike, input), expected));
  it('breaks the errors down by status', () => {
    const [f] = check(errorSpike, table[0]![1]);
    assert.match(f!.summary, /^lin: 12 of \d+ requests to api\.linear\.app failed in the last hour \(\d+%; baseline 0% over \d+ requests\): 502 ×12$/);
  });
});
