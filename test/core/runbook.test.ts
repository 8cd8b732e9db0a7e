import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { actionRefs } from '../../src/core/action-refs.js';
import type { Finding } from '../../src/core/findings.js';
import { parseRunbook, RunbookError, withRunbook } from '../../src/core/runbook.js';

const text = `---
id: refresh-race
title: "Two processes: one token"
severity: critical
actions:
  - key: x
    action: refresh
    label: Refresh under the lock
    confirm: false
  - key: l
    action: relogin
    label: Log in again
---
## What happened

Two refreshes.

## Fix

1. Press x.
`;

describe('parseRunbook', () => {
  it('reads front matter and sections', () => {
    const runbook = parseRunbook(text);
    assert.equal(runbook.id, 'refresh-race');
    assert.equal(runbook.title, 'Two processes: one token');
    assert.equal(runbook.severity, 'critical');
    assert.deepEqual(runbook.actions, [
      { key: 'x', action: 'refresh', label: 'Refresh under the lock', confirm: false },
      { key: 'l', action: 'relogin', label: 'Log in again', confirm: true },
    ]);
    assert.equal(runbook.sections['What happened'], 'Two refreshes.');
    assert.equal(runbook.sections.Fix, '1. Press x.');
  });
  it('accepts an empty action list', () => {
    assert.deepEqual(parseRunbook('---\nid: a\ntitle: A\nseverity: info\nactions: []\n---\n## Fix\nnone\n').actions, []);
  });
  it('rejects an unknown action, a bad severity and a missing front matter', () => {
    assert.throws(() => parseRunbook(text.replace('action: relogin', 'action: reboot')), (e: Error) => e instanceof RunbookError && /unknown action "reboot"/.test(e.message));
    assert.throws(() => parseRunbook(text.replace('severity: critical', 'severity: dire')), RunbookError);
    assert.throws(() => parseRunbook('## Fix\nnothing'), RunbookError);
  });
});

describe('withRunbook', () => {
  it('takes keys and labels from the runbook, keeping the actions the rule chose', () => {
    const finding: Finding = { id: 'refresh-race', severity: 'critical', conn: 'c', summary: 's', evidence: [], actions: actionRefs('refresh'), state: 'active' };
    assert.deepEqual(withRunbook(finding, parseRunbook(text)).actions, [{ key: 'x', action: 'refresh', label: 'Refresh under the lock' }]);
  });
});
