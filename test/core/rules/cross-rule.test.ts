import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { at, conn, day, diagnoseAll, hour, minute, T0 } from '../../support/facts.js';

// What every rule together finds: one failure is named by exactly one rule.

describe('github-app mint failures', () => {
  // A GitHub App has no refresh token: a failed mint is about the app's key or the installation, never a re-login.
  const app = conn({ name: 'app', provider: 'github-app', appId: 1, installation: { id: 7, account: 'acme' }, lastRefreshAt: at(-hour) });
  const mint = (offset: number, status: number, error: string) => ({ ts: at(offset), event: 'refresh', conn: 'app', trigger: 'proactive', outcome: 'error', status, error, generation: 4 });
  const table: Array<[string, Record<string, unknown>, string[], RegExp]> = [
    ['Bad credentials: the app key was refused → client-secret-rotated, no actions', mint(-minute, 401, 'Bad credentials'), ['client-secret-rotated app critical'], /GitHub refuses the app's JWT since 08:59:00 UTC \(Bad credentials\): the app's private key was deleted or regenerated/],
    ['A JSON web token could not be decoded → same', mint(-minute, 401, 'A JSON web token could not be decoded'), ['client-secret-rotated app critical'], /private key/],
    ['installation suspended → refresh-token-revoked naming the owner, no re-login', mint(-minute, 403, 'This installation has been suspended'), ['refresh-token-revoked app critical'], /an owner of acme must unsuspend or reinstall the app/],
    ['JWT clock error → clock-skew only', mint(-minute, 401, "'Expiration time' claim ('exp') is too far in the future"), ['clock-skew app error'], /rejected a time-stamped credential/],
  ];
  for (const [name, event, expected, summary] of table) {
    it(name, () => {
      const findings = diagnoseAll({ connections: [app], events: [event] });
      assert.deepEqual(findings.map((f) => `${f.id} ${f.conn} ${f.severity}`), expected);
      assert.match(findings[0]!.summary, summary);
      assert.ok(findings.every((f) => !f.actions.some((a) => a.action === 'relogin')));
      assert.deepEqual(findings.map((f) => `${f.state} ${f.evidence.map((e) => e.line).join(',')}`), ['active 1']);
    });
  }
});

describe('state.json remembers a failure', () => {
  it('a lastError older than the last refresh is history: no finding', () => {
    const graph = conn({ name: 'graph', provider: 'microsoft', refreshTokenFp: 'r', lastRefreshAt: at(-day), lastError: { at: at(-2 * day), status: 400, error: 'invalid_grant' } });
    assert.deepEqual(diagnoseAll({ connections: [graph] }), []);
  });
});

// A window of hundreds of thousands of events must not overflow the stack (Math.max(...list) would).
describe('a large window', () => {
  it('diagnoses 300,000 events, a race among them', () => {
    const c = conn({ name: 'o', provider: 'oidc', issuer: 'https://id.example', refreshTokenFp: 'rt-final', lastRefreshAt: new Date(T0 - minute).toISOString() });
    const events: Array<Record<string, unknown>> = [];
    const start = T0 - 300_000 * 1000;
    for (let i = 0; i < 300_000; i++) {
      const ts = new Date(start + i * 1000).toISOString();
      events.push(i % 3 === 0 ? { ts, event: 'refresh', conn: 'o', trigger: 'proactive', outcome: 'ok', status: 200, rt_fp: `rt${i}`, new_rt_fp: `rt${i + 3}`, pid: 1 } : { ts, event: 'request', conn: 'o', method: 'GET', target: 'api.example', path: '/', status: 200, pid: 1 });
    }
    events.push({ ts: new Date(start + 300_000 * 1000 + 300).toISOString(), event: 'refresh', conn: 'o', trigger: 'reactive', outcome: 'error', status: 400, error: 'invalid_grant', rt_fp: 'rt299997', pid: 2 });
    const found = diagnoseAll({ connections: [c], events });
    assert.deepEqual(found.map((f) => f.id), ['refresh-race']);
    // The winner is the refresh of rt299997 (event 299,998), the loser the last line.
    assert.deepEqual(found[0]!.evidence.map((e) => e.line), [299_998, 300_001]);
  });
});
