import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { idleExpirySoon } from '../../../src/core/rules/idle-expiry-soon.js';
import { at, check, conn, day, expectFindings, expecting, minute, type RuleCase } from '../../support/facts.js';

// A refresh token about to sit unused past its provider's idle window. Nothing to resolve: a refresh makes it go away.

const soon = expecting('idle-expiry-soon', 'warning');
const google = (lastRefreshDaysAgo: number) => conn({ name: 'g', provider: 'google', refreshTokenFp: 'r', lastRefreshAt: at(-lastRefreshDaysAgo * day) });
const oidc = (lastRefreshDaysAgo: number) => conn({ name: 'o', provider: 'oidc', issuer: 'https://id.example', refreshTokenFp: 'r', lastRefreshAt: at(-lastRefreshDaysAgo * day) });
const refreshed = (offset: number, more: Record<string, unknown> = {}) => ({ ts: at(offset), event: 'refresh', conn: 'g', trigger: 'keepalive', outcome: 'ok', status: 200, rt_fp: 'r', ...more });

const table: RuleCase[] = [
  { name: 'google idle 175 days: 8 days left → warn', input: { connections: [google(175)] }, expected: [soon('g', 'active', [])] },
  { name: 'google idle 160 days: 23 days left → quiet', input: { connections: [google(160)] }, expected: [] },
  {
    name: 'google idle 190 days, nothing failed yet → warn (already past)',
    input: { connections: [google(190)] },
    expected: [soon('g', 'active', [], 'g: refresh token unused since 2026-05-16 09:00:00 UTC, passed its idle window on 2026-11-15 09:00:00 UTC; the next refresh will likely fail')],
  },
  { name: 'google idle 175 days but refreshed in the log an hour ago → quiet', input: { connections: [google(175)], events: [refreshed(-60 * minute)] }, expected: [] },
  { name: 'oidc (14-day window) idle 11 days: 3 days left, under a quarter of the window → warn', input: { connections: [oidc(11)] }, expected: [soon('o', 'active', [], /^o: refresh token unused since .*, expires from idleness in 3 days/)] },
  { name: 'oidc idle 5 days → quiet (14-day lead would always warn)', input: { connections: [oidc(5)] }, expected: [] },
  { name: 'no refresh token → nothing to keep alive', input: { connections: [conn({ name: 'g', provider: 'google', lastRefreshAt: at(-175 * day) })] }, expected: [] },
  { name: 'slack has no idle window → quiet', input: { connections: [conn({ name: 's', provider: 'slack', refreshTokenFp: 'r', lastRefreshAt: at(-300 * day) })] }, expected: [] },
  { name: 'a failing refresh is left to the failure rules', input: { connections: [google(190)], events: [{ ts: at(-minute), event: 'refresh', conn: 'g', trigger: 'proactive', outcome: 'error', status: 400, error: 'invalid_grant', rt_fp: 'r' }] }, expected: [] },
  // No rule reports a 503 or slow_down refresh (the story calls them "other"), and the token is as idle as before it.
  { name: 'a refresh that failed for a passing reason (503) does not hide the warning', input: { connections: [google(175)], events: [{ ts: at(-60 * minute), event: 'refresh', conn: 'g', trigger: 'proactive', outcome: 'error', status: 503, error: 'temporarily_unavailable', rt_fp: 'r' }] }, expected: [soon('g', 'active', [])] },
  { name: 'a refresh the provider slowed down (slow_down) does not hide the warning', input: { connections: [google(175)], events: [{ ts: at(-60 * minute), event: 'refresh', conn: 'g', trigger: 'proactive', outcome: 'error', status: 429, error: 'slow_down', rt_fp: 'r' }] }, expected: [soon('g', 'active', [])] },
  { name: 'the last use is a refresh in the log (state.json is older) → it is the evidence', input: { connections: [google(200)], events: [refreshed(-175 * day)] }, expected: [soon('g', 'active', [1], /^g: refresh token unused since 2026-05-31 09:00:00 UTC, expires from idleness in 8 days/)] },
  { name: 'state.json is later than the refresh in the log → no log line to cite', input: { connections: [google(175)], events: [refreshed(-180 * day)] }, expected: [soon('g', 'active', [])] },
  { name: 'a login in the log counts as use', input: { connections: [google(175)], events: [{ ts: at(-day), event: 'login', conn: 'g', method: 'browser', outcome: 'ok' }] }, expected: [] },
  { name: 'the refresh token obtained 175 days ago and never refreshed → warn', input: { connections: [conn({ name: 'g', provider: 'google', refreshTokenFp: 'r', refreshTokenObtainedAt: at(-175 * day) })] }, expected: [soon('g', 'active', [])] },
  { name: 'a refresh of another connection does not count', input: { connections: [google(175), conn({ name: 'h', provider: 'slack' })], events: [{ ...refreshed(-minute), conn: 'h' }] }, expected: [soon('g', 'active', [])] },
  {
    name: 'hostile values (escape sequences, 100,000-character fields) → still the warning, printable evidence',
    input: { connections: [google(200)], events: [refreshed(-175 * day, { rt_fp: '\u001b[2J'.repeat(30_000), new_rt_fp: 'n'.repeat(100_000), host: '\u0007\u0008\u007f', agent: '\u009d0;title\u009c', pid: Number.MAX_SAFE_INTEGER, duration_ms: 1e300 })] },
    expected: [soon('g', 'active', [1])],
  },
];

describe('idle-expiry-soon', () => {
  for (const { name, input, expected } of table) it(name, () => void expectFindings(idleExpirySoon, input, expected));

  it('says when', () => {
    const [f] = check(idleExpirySoon, { connections: [google(175)] });
    assert.equal(f?.summary, 'g: refresh token unused since 2026-05-31 09:00:00 UTC, expires from idleness in 8 days (2026-11-30 09:00:00 UTC)');
    assert.deepEqual(f?.actions.map((a) => a.action), ['keepalive']);
  });
});
