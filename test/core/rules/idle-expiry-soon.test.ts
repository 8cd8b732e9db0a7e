import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { idleExpirySoon } from '../../../src/core/rules/idle-expiry-soon.js';
import { at, check, conn, day, found, minute, type FactsInput } from '../../support/facts.js';

const google = (lastRefreshDaysAgo: number) => conn({ name: 'g', provider: 'google', refreshTokenFp: 'r', lastRefreshAt: at(-lastRefreshDaysAgo * day) });
const oidc = (lastRefreshDaysAgo: number) => conn({ name: 'o', provider: 'oidc', issuer: 'https://id.example', refreshTokenFp: 'r', lastRefreshAt: at(-lastRefreshDaysAgo * day) });

const table: Array<[string, FactsInput, string[]]> = [
  ['google idle 175 days: 8 days left → warn', { connections: [google(175)] }, ['g warning']],
  ['google idle 160 days: 23 days left → quiet', { connections: [google(160)] }, []],
  ['google idle 190 days, nothing failed yet → warn (already past)', { connections: [google(190)] }, ['g warning']],
  ['google idle 175 days but refreshed in the log an hour ago → quiet', { connections: [google(175)], events: [{ ts: at(-60 * minute), event: 'refresh', conn: 'g', trigger: 'keepalive', outcome: 'ok', status: 200, rt_fp: 'r' }] }, []],
  ['oidc (14-day window) idle 11 days: 3 days left, under a quarter of the window → warn', { connections: [oidc(11)] }, ['o warning']],
  ['oidc idle 5 days → quiet (14-day lead would always warn)', { connections: [oidc(5)] }, []],
  ['no refresh token → nothing to keep alive', { connections: [conn({ name: 'g', provider: 'google', lastRefreshAt: at(-175 * day) })] }, []],
  ['slack has no idle window → quiet', { connections: [conn({ name: 's', provider: 'slack', refreshTokenFp: 'r', lastRefreshAt: at(-300 * day) })] }, []],
  ['a failing refresh is left to the failure rules', { connections: [google(190)], events: [{ ts: at(-minute), event: 'refresh', conn: 'g', trigger: 'proactive', outcome: 'error', status: 400, error: 'invalid_grant', rt_fp: 'r' }] }, []],
];

describe('idle-expiry-soon', () => {
  for (const [name, input, expected] of table) it(name, () => assert.deepEqual(found(idleExpirySoon, input), expected));
  it('says when', () => {
    const [f] = check(idleExpirySoon, { connections: [google(175)] });
    assert.equal(f?.summary, 'g: refresh token unused since 2026-05-31 09:00:00 UTC, expires from idleness in 8 days (2026-11-30 09:00:00 UTC)');
  });
});
