import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clockSkew } from '../../../src/core/rules/clock-skew.js';
import { at, check, conn, expectFindings, expecting, minute, T0, type RuleCase } from '../../support/facts.js';

// The local clock is off: a provider rejected a time-stamped credential, or its Date header disagrees by more than 30 s.

const skew = expecting('clock-skew', 'error');
const gh = conn({ name: 'gh', provider: 'github', account: 'bot' });
/** A request at `offset` whose Date header is `skewMs` behind the local clock (negative: ahead of it). */
const dated = (offset: number, skewMs: number, more: Record<string, unknown> = {}) => ({ ts: at(offset), event: 'request', conn: 'gh', method: 'GET', target: 'api.github.com', path: '/user', status: 200, date: new Date(Math.floor((T0 + offset - skewMs) / 1000) * 1000).toUTCString(), ...more });
const jwtRejected = { ts: at(-minute), event: 'probe', conn: 'gh', check: 'token-endpoint', outcome: 'error', status: 401, error: 'http_401', error_description: "'Expiration time' claim ('exp') is too far in the future" };

const table: RuleCase[] = [
  { name: 'Date header 4 minutes behind the log time', input: { connections: [gh], events: [dated(-minute, 4 * minute)] }, expected: [skew('gh', 'active', [1], 'gh: local clock is 4 min 0 s ahead of api.github.com (Date header at 08:59:00 UTC)')] },
  { name: 'Date header 95 s ahead of the log time', input: { connections: [gh], events: [dated(-minute, -95_000)] }, expected: [skew('gh', 'active', [1], 'gh: local clock is 1 min 35 s behind api.github.com (Date header at 08:59:00 UTC)')] },
  { name: '10 s is noise', input: { connections: [gh], events: [dated(-minute, 10_000)] }, expected: [] },
  { name: 'fixed since (a later answer agrees)', input: { connections: [gh], events: [dated(-9 * minute, 4 * minute), dated(-minute, 1000)] }, expected: [skew('gh', 'resolved', [1, 2], /; resolved at 08:59:00 UTC: GET \/user answered 200$/)] },
  { name: 'an agreeing answer before the skew does not fix it', input: { connections: [gh], events: [dated(-9 * minute, 1000), dated(-minute, 4 * minute)] }, expected: [skew('gh', 'active', [2])] },
  {
    name: 'a JWT iat error from the provider',
    input: { connections: [conn({ name: 'gh', provider: 'github-app' })], events: [jwtRejected] },
    expected: [skew('gh', 'active', [1], `gh: the provider rejected a time-stamped credential at 08:59:00 UTC: http_401 "'Expiration time' claim ('exp') is too far in the future"`)],
  },
  { name: 'AADSTS700024', input: { connections: [conn({ name: 'gh', provider: 'microsoft' })], events: [{ ts: at(-minute), event: 'refresh', conn: 'gh', trigger: 'proactive', outcome: 'error', status: 401, error: 'invalid_client', error_code: 'AADSTS700024' }] }, expected: [skew('gh', 'active', [1], /rejected a time-stamped credential at 08:59:00 UTC: AADSTS700024$/)] },
  {
    name: 'a rejection and a far-off Date both: both said, both cited',
    input: { connections: [conn({ name: 'gh', provider: 'github-app' })], events: [dated(-2 * minute, 5 * minute), jwtRejected] },
    expected: [skew('gh', 'active', [1, 2], /^gh: local clock is 5 min 0 s ahead of api\.github\.com \(Date header at 08:58:00 UTC\); the provider rejected a time-stamped credential at 08:59:00 UTC/)],
  },
  { name: 'a probe\'s Date header counts, naming the provider', input: { connections: [gh], events: [{ ts: at(-minute), event: 'probe', conn: 'gh', check: 'identity', outcome: 'ok', identity: 'bot', date: new Date(T0 - 3 * minute).toUTCString() }] }, expected: [skew('gh', 'active', [1], 'gh: local clock is 2 min 0 s ahead of the provider (Date header at 08:59:00 UTC)')] },
  { name: 'six skewed answers: the latest four are the evidence', input: { connections: [gh], events: [6, 5, 4, 3, 2, 1].map((m) => dated(-m * minute, 4 * minute)) }, expected: [skew('gh', 'active', [3, 4, 5, 6])] },
  { name: 'an unparsable Date header proves nothing', input: { connections: [gh], events: [{ ...dated(-minute, 0), date: 'yesterday-ish' }] }, expected: [] },
  { name: 'answers of a connection not in state.json are ignored', input: { connections: [gh], events: [{ ...dated(-minute, 4 * minute), conn: 'ghost' }] }, expected: [] },
  {
    name: 'hostile values (a Date at the end of time, 1e300, escape sequences, 100,000 characters) → no throw, printable evidence',
    input: {
      connections: [gh],
      events: [
        { ...dated(-3 * minute, 0), date: '1e300' },
        { ...dated(-2 * minute, 0), date: '+275760-09-13T00:00:00.000Z', target: `\u001b[2J\u001b]0;pwned\u0007${'t'.repeat(100_000)}` },
        { ...dated(-minute, 0), date: `Mon, 01 Jan 1970 00:00:00 GMT${'\u009b'.repeat(100_000)}`, error: 'invalid_request', error_description: '\u001b[31m'.repeat(50_000) },
      ],
    },
    expected: [skew('gh', 'active', [2])],
  },
];

describe('clock-skew', () => {
  for (const { name, input, expected } of table) it(name, () => void expectFindings(clockSkew, input, expected));

  it('cites the answers its summary quotes: the Date header and the latest rejection', () => {
    const app = conn({ name: 'gh', provider: 'github-app' });
    const rejected = (m: number) => ({ ...jwtRejected, ts: at(-m * minute) });
    const [f] = check(clockSkew, { connections: [app], events: [dated(-5 * minute, 4 * minute), rejected(4), rejected(3), rejected(2), rejected(1)] });
    assert.match(f!.summary, /^gh: local clock is 4 min 0 s ahead of api\.github\.com \(Date header at 08:55:00 UTC\); the provider rejected a time-stamped credential at 08:59:00 UTC/);
    const lines = f!.evidence.map((e) => e.line);
    assert.ok(lines.includes(1), `the Date header the summary quotes (line 1) is not cited: evidence lines ${lines.join(', ')}`);
    assert.ok(lines.includes(5), `the rejection the summary quotes (line 5) is not cited: evidence lines ${lines.join(', ')}`);
  });
  it('offers a refresh once the clock is right, nothing once resolved', () => {
    assert.deepEqual(check(clockSkew, { connections: [gh], events: [dated(-minute, 4 * minute)] })[0]!.actions.map((a) => a.action), ['refresh']);
    assert.deepEqual(check(clockSkew, { connections: [gh], events: [dated(-9 * minute, 4 * minute), dated(-minute, 1000)] })[0]!.actions, []);
  });
});
