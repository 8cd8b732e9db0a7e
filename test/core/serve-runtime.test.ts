import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BrokerEvent } from '../../src/core/events.js';
import { summarizeServe, type ServeRuntime } from '../../src/core/serve-runtime.js';

const now = new Date('2026-12-01T12:00:00.000Z');
const runtime: ServeRuntime = { pid: 42, host: 'h1', url: 'http://127.0.0.1:7998', started: '2026-12-01T09:00:00.000Z' };
const at = (minutesAgo: number): string => new Date(now.getTime() - minutesAgo * 60_000).toISOString();
const event = (fields: Record<string, unknown>): BrokerEvent => ({ pid: 42, host: 'h1', ...fields }) as unknown as BrokerEvent;

describe('summarizeServe', () => {
  it('counts the requests and token hand-outs of this serve process in the last hour, per connection', () => {
    const events = [
      event({ ts: at(5), event: 'request', conn: 'gh', method: 'GET', target: 'api.github.com', path: '/x', status: 200 }),
      event({ ts: at(30), event: 'token', conn: 'gh', at_fp: 'a', generation: 1 }),
      event({ ts: at(59), event: 'request', conn: 'slack', method: 'POST', target: 'slack.com', path: '/api/x', status: 200 }),
      event({ ts: at(61), event: 'request', conn: 'gh', method: 'GET', target: 'api.github.com', path: '/x', status: 200 }), // too old
      event({ ts: at(1), event: 'request', conn: 'gh', method: 'GET', target: 'api.github.com', path: '/x', status: 200, pid: 7 }), // a CLI process
      event({ ts: at(1), event: 'request', conn: 'gh', method: 'GET', target: 'api.github.com', path: '/x', status: 200, host: 'h2' }), // another host
      event({ ts: at(1), event: 'refresh', conn: 'gh', trigger: 'proactive', outcome: 'ok' }),
      event({ ts: at(1), event: 'request', method: 'GET', target: '127.0.0.1:7998', path: '/gh/x', status: 401, outcome: 'unauthenticated' }), // no connection
    ];
    const summary = summarizeServe(runtime, true, events, now);
    assert.deepEqual(summary, { running: true, pid: 42, url: 'http://127.0.0.1:7998', since: runtime.started, callsLastHour: { gh: 2, slack: 1 }, lastError: null });
  });

  it('a serve that is gone keeps its last error', () => {
    const lastError = { at: at(3), conn: 'gh', message: 'refreshing "gh" failed' };
    const summary = summarizeServe({ ...runtime, lastError }, false, [], now);
    assert.equal(summary.running, false);
    assert.deepEqual(summary.lastError, lastError);
  });
});
