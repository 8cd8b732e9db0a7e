import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding, StoreStatus } from '../../src/core/findings.js';
import { relative, toHealthRows, toStatusReport, type HealthRow } from '../../src/core/health-rows.js';
import { ConnectionSchema, type Connection } from '../../src/core/state-schema.js';

const now = new Date('2026-11-22T03:00:00.000Z');
const minutesAgo = (m: number): string => new Date(now.getTime() - m * 60_000).toISOString();
const daysAgo = (d: number): string => minutesAgo(d * 24 * 60);
const keychain: StoreStatus = { backend: 'keychain', reason: 'default: the OS keychain', available: true };

function conn(name: string, fields: Partial<Connection> = {}): Connection {
  return ConnectionSchema.parse({ name, provider: 'oidc', kind: 'service', createdAt: daysAgo(200), ...fields });
}

function finding(conn: string | null, severity: Finding['severity'], id = 'some-rule'): Finding {
  return { id, severity, conn, summary: `${id} on ${conn}`, evidence: [], actions: [], state: 'active' };
}

type Expect = Partial<Pick<HealthRow, 'health' | 'colour' | 'expiry' | 'lastRefresh' | 'idle' | 'lastErrorText'>> & { notes?: number };

const table: Array<[string, Connection, Finding[], Expect]> = [
  [
    'a fresh token with a refresh token is ok and counts down',
    conn('fresh', { accessTokenFp: 'aaaaaaaaaaaa', refreshTokenFp: 'bbbbbbbbbbbb', accessTokenExpiresAt: minutesAgo(-12.5), lastRefreshAt: minutesAgo(47.5), refreshTokenObtainedAt: daysAgo(3) }),
    [],
    { health: 'ok', colour: 'green', expiry: 'expires in 12 min', lastRefresh: '47 min ago', idle: 'idle 47 min', lastErrorText: '', notes: 0 },
  ],
  [
    'a token that never expires, never refreshed',
    conn('pat', { provider: 'github', accessTokenFp: 'cccccccccccc' }),
    [],
    { health: 'ok', expiry: 'never', lastRefresh: 'never', idle: '' },
  ],
  ['no token at all', conn('empty'), [], { health: 'ok', expiry: 'no token' }],
  [
    'idle time counts from the newest of last refresh and refresh token obtained',
    conn('idle', { accessTokenFp: 'a', refreshTokenFp: 'r', accessTokenExpiresAt: daysAgo(171), lastRefreshAt: daysAgo(171.2), refreshTokenObtainedAt: daysAgo(180) }),
    [],
    { health: 'ok', expiry: 'expired 171 days ago', idle: 'idle 171 days', lastRefresh: '171 days ago' },
  ],
  [
    'expired with no refresh token: a note, and the health of its access-expired finding',
    conn('slack', { provider: 'slack', accessTokenFp: 'a', accessTokenExpiresAt: minutesAgo(185) }),
    [finding('slack', 'error', 'access-expired')],
    { health: 'error', colour: 'red', expiry: 'expired 3 h ago', notes: 1 },
  ],
  [
    'an expired github-app token is minted again from the app key: ok',
    conn('app', { provider: 'github-app', appId: 1, installation: { id: 2, account: 'acme' }, accessTokenFp: 'a', accessTokenExpiresAt: minutesAgo(5) }),
    [],
    { health: 'ok', expiry: 'expired 5 min ago' },
  ],
  [
    'a last error newer than the last refresh: a note; health is the finding the rules make of it',
    conn('broken', { accessTokenFp: 'a', refreshTokenFp: 'r', lastRefreshAt: minutesAgo(180), lastError: { at: minutesAgo(61), status: 400, error: 'invalid_grant\n\u001b[31m', description: 'x' } }),
    [finding('broken', 'critical', 'refresh-token-revoked')],
    { health: 'critical', lastErrorText: 'invalid_grant �[31m (400) 1 h ago', notes: 1 },
  ],
  [
    'a last error older than the last refresh is history, not health',
    conn('recovered', { accessTokenFp: 'a', refreshTokenFp: 'r', lastRefreshAt: minutesAgo(10), lastError: { at: minutesAgo(61), error: 'invalid_grant' } }),
    [],
    { health: 'ok', lastErrorText: 'invalid_grant 1 h ago', notes: 0 },
  ],
  ['info findings count as ok', conn('limited', { accessTokenFp: 'a' }), [finding('limited', 'info', 'rate-limited')], { health: 'ok', notes: 0 }],
  ['the worst finding wins', conn('raced', { accessTokenFp: 'a' }), [finding('raced', 'warning'), finding('raced', 'critical'), finding('raced', 'error')], { health: 'critical', colour: 'magenta' }],
  ['a warning finding', conn('soon', { accessTokenFp: 'a' }), [finding('soon', 'warning', 'idle-expiry-soon')], { health: 'warning', colour: 'yellow' }],
  [
    'notes never make health: only active findings do',
    conn('both', { provider: 'slack', accessTokenFp: 'a', accessTokenExpiresAt: minutesAgo(1) }),
    [],
    { health: 'ok', notes: 1 },
  ],
  ['a resolved finding is history, not health', conn('healed', { accessTokenFp: 'a' }), [{ ...finding('healed', 'critical', 'refresh-race'), state: 'resolved', resolvedAt: minutesAgo(5) }], { health: 'ok', colour: 'green' }],
  ['findings about other connections do not leak', conn('clean', { accessTokenFp: 'a' }), [finding('other', 'critical'), finding(null, 'critical')], { health: 'ok' }],
];

describe('toHealthRows', () => {
  for (const [title, connection, findings, expected] of table) {
    it(title, () => {
      const [row] = toHealthRows([connection], findings, now);
      assert.ok(row);
      const { notes, ...fields } = expected;
      for (const [key, value] of Object.entries(fields)) assert.equal(row[key as keyof HealthRow], value, key);
      if (notes !== undefined) assert.equal(row.notes.length, notes, row.notes.join('; '));
      assert.deepEqual(row.findings, findings.filter((f) => f.conn === connection.name));
    });
  }

  it('orders worst health first, then by name', () => {
    const rows = toHealthRows(
      [conn('b-ok'), conn('a-ok'), conn('z-crit'), conn('m-warn'), conn('c-err', { provider: 'slack', accessTokenFp: 'a', accessTokenExpiresAt: minutesAgo(1) })],
      [finding('z-crit', 'critical'), finding('m-warn', 'warning'), finding('c-err', 'error', 'access-expired')],
      now,
    );
    assert.deepEqual(rows.map((r) => `${r.health} ${r.name}`), ['critical z-crit', 'error c-err', 'warning m-warn', 'ok a-ok', 'ok b-ok']);
  });

  it('is pure: the same facts at a later now only move the times', () => {
    const c = conn('tick', { accessTokenFp: 'a', refreshTokenFp: 'r', accessTokenExpiresAt: minutesAgo(-2) });
    assert.equal(toHealthRows([c], [], now)[0]?.expiry, 'expires in 2 min');
    assert.equal(toHealthRows([c], [], new Date(now.getTime() + 90_000))[0]?.expiry, 'expires in 30 s');
    assert.equal(toHealthRows([c], [], new Date(now.getTime() + 180_000))[0]?.expiry, 'expired 1 min ago');
  });
});

describe('relative', () => {
  const cases: Array<[number, string]> = [
    [0, '0 s'],
    [59_999, '59 s'],
    [60_000, '1 min'],
    [12.9 * 60_000, '12 min'],
    [3 * 3_600_000 + 59 * 60_000, '3 h'],
    [86_400_000, '1 day'],
    [171.5 * 86_400_000, '171 days'],
  ];
  for (const [ms, text] of cases) it(`${ms} ms → ${text}`, () => assert.equal(relative(ms), text));
});

describe('toStatusReport', () => {
  const healthy = conn('fine', { accessTokenFp: 'a' });
  it('exits 0 when every connection is ok or warning', () => {
    assert.equal(toStatusReport({ store: keychain, connections: [healthy, conn('w')], findings: [finding('w', 'warning')] }, now).exitCode, 0);
  });
  it('exits 0 when the only error is resolved', () => {
    assert.equal(toStatusReport({ store: keychain, connections: [healthy, conn('e')], findings: [{ ...finding('e', 'error'), state: 'resolved' }] }, now).exitCode, 0);
  });
  it('exits 1 when a connection is error or critical', () => {
    assert.equal(toStatusReport({ store: keychain, connections: [healthy, conn('e')], findings: [finding('e', 'error')] }, now).exitCode, 1);
  });
  it('exits 1 when the store is unavailable, even with nothing to show', () => {
    const report = toStatusReport({ store: { ...keychain, available: false, problem: 'locked' }, connections: [], findings: [] }, now);
    assert.equal(report.exitCode, 1);
  });
  it('keeps findings about no connection apart, and a critical one fails the status', () => {
    const report = toStatusReport({ store: keychain, connections: [healthy], findings: [finding(null, 'critical', 'keychain-unavailable')] }, now);
    assert.deepEqual(report.general.map((f) => f.id), ['keychain-unavailable']);
    assert.equal(report.rows[0]?.health, 'ok');
    assert.equal(report.exitCode, 1);
  });
});
