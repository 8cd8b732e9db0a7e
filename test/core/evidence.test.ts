import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BrokerEvent } from '../../src/core/events.js';
import { evidenceFrom, evidenceFromSetting } from '../../src/core/evidence.js';

describe('evidenceFrom', () => {
  it('renders one redacted line without ts, event or conn repeated as fields', () => {
    const event = { ts: '2026-11-22T03:01:12.612Z', event: 'refresh', conn: 'gh', trigger: 'reactive', outcome: 'error', status: 200, error: 'bad_refresh_token', error_description: 'The refresh token passed is incorrect or expired.', rt_fp: 'dd39a27b8fa1', pid: 3120, host: 'agent-host-1', ci: false } as BrokerEvent;
    assert.deepEqual(evidenceFrom({ event, file: 'events.jsonl', line: 91, t: 0 }), {
      file: 'events.jsonl',
      line: 91,
      ts: '2026-11-22T03:01:12.612Z',
      text: 'refresh gh trigger=reactive outcome=error status=200 error=bad_refresh_token error_description="The refresh token passed is incorrect or expired." rt_fp=dd39a27b8fa1 pid=3120 host=agent-host-1 ci=false',
    });
  });
  it('strips control characters, hides secrets and clips long values', () => {
    const canary = 'ghs_CanaryCanaryCanary0123456789abcd';
    const event = { ts: '2026-11-22T03:00:00.000Z', event: 'request', conn: 'gh', method: 'GET', target: 'api.github.com', path: `/x\u001b[2J\u009b31m${'a'.repeat(500)}`, status: 404, authorization: `Bearer ${canary}`, note: `token ${canary}` } as unknown as BrokerEvent;
    const { text } = evidenceFrom({ event, file: 'events.jsonl\u001b[31m', line: 3, t: 0 });
    assert.doesNotMatch(text, /[\u0000-\u001f\u007f-\u009f]/);
    assert.ok(!text.includes(canary));
    assert.ok(text.length <= 400, `${text.length}`);
    assert.match(text, /path=\/x�\[2J�31ma+…/);
  });
  it('cites settings by name with line 0', () => {
    assert.deepEqual(evidenceFromSetting('environment', '2026-11-22T09:00:00.000Z', 'HTTPS_PROXY=http://127.0.0.1:8899\n'), { file: 'environment', line: 0, ts: '2026-11-22T09:00:00.000Z', text: 'HTTPS_PROXY=http://127.0.0.1:8899�' });
  });
});
