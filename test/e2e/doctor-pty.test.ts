import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readEvents } from '../support/home-files.js';
import { tempHome } from '../support/temp-home.js';
import { Terminal } from '../support/tmux-terminal.js';

// The interactive doctor, the bundled binary in a real terminal: a finding, its runbook, one key, y, the re-check.

describe('broker doctor in a pseudo-terminal', () => {
  it('Enter shows the runbook, a shows the y/N, y runs the fix, the re-check says it is gone, q exits 0', async () => {
    const scenario = new URL('../../fixtures/scenarios/new-destination/', import.meta.url).pathname;
    const home = tempHome('broker-doctor-pty-');
    cpSync(join(scenario, 'state.json'), join(home, 'state.json'));
    mkdirSync(join(home, 'logs'));
    cpSync(join(scenario, 'events.jsonl'), join(home, 'logs', 'events.jsonl'));
    const { now } = JSON.parse(readFileSync(join(scenario, 'expected.json'), 'utf8'));

    const term = new Terminal(home);
    try {
      term.start(['doctor', '--now', now, '--since', 'all']);
      await term.waitForScreen((s) => /› WARNING\s+New destination linear-triage · agent triage-bot sent 2 requests to uploads\.pastebin\.example/.test(s), 'the finding list');
      term.tmux('send-keys', 'Enter');
      const runbook = await term.waitForScreen((s) => /^\s+\[a\] Acknowledge/m.test(s) && /^Fix$/m.test(s), 'the runbook and its action');
      assert.match(runbook, /^WARNING New destination · linear-triage \[new-destination\]$/m);
      assert.match(runbook, /^\s+events\.jsonl:1901 2026-11-22T06:00:00\.000Z$/m, 'the evidence');
      assert.match(runbook, /revoke the connection \(broker logout linear-triage\)/, 'NAME replaced, code rendered');
      term.tmux('send-keys', 'a');
      await term.waitForScreen((s) => s.includes('acknowledge this finding on linear-triage for 7 days') && s.includes('Run it? (y/N)'), 'the y/N');
      assert.ok(!readEvents(home).some((e) => e.event === 'remediation'), 'nothing runs before the y');
      term.tmux('send-keys', 'y');
      await term.waitForScreen((s) => s.includes('re-check: the finding is gone'), 'the re-check');
      term.tmux('send-keys', 'q');
      assert.equal(await term.waitForExit(), 0);
    } finally {
      term.kill();
    }
    const [remediation] = readEvents(home).filter((e) => e.event === 'remediation');
    assert.deepEqual([remediation?.action, remediation?.finding, remediation?.conn, remediation?.outcome], ['acknowledge', 'new-destination', 'linear-triage', 'ok']);
  });
});
