import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { conn, diagnoseAll, minute, T0 } from '../../support/facts.js';

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
  });
});
