import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toDoctorReport } from '../../src/core/doctor-report.js';
import type { Finding } from '../../src/core/findings.js';
import { parseRunbook } from '../../src/core/runbook.js';
import { conn } from '../support/facts.js';
import { formatDoctorJson } from '../../src/output/doctor-json.js';
import { formatDoctorText } from '../../src/output/doctor-text.js';

const hostile: Finding = {
  id: 'wrong-installation',
  severity: 'error',
  conn: 'app',
  summary: 'app: 1 request for repositories of evil\u001b]0;pwned\u0007 answered 404\u009b2J',
  evidence: [{ file: 'events.jsonl', line: 7, ts: '2026-11-22T08:00:00.000Z', text: 'request app path=/repos/evil�]0;pwned�' }],
  actions: [{ key: 'b', action: 'rebind-installation', label: 'Rebind' }],
  state: 'active',
};
const report = toDoctorReport({
  store: { backend: 'keychain', reason: 'default', available: true },
  since: new Date('2026-11-21T09:00:00.000Z'),
  until: new Date('2026-11-22T09:00:00.000Z'),
  linesRead: 120,
  linesSkipped: 3,
  skipReasons: { 'not JSON': 3 },
  acknowledged: 0,
  ruleFailures: [],
  connections: [conn({ name: 'app', provider: 'github-app', appId: 1, installation: { id: 2, account: 'acme' } })],
  findings: [hostile],
});
const runbook = parseRunbook('---\nid: wrong-installation\ntitle: Wrong installation\nseverity: error\nactions:\n  - key: b\n    action: rebind-installation\n    label: Rebind\n---\n## Fix\n\nPress b.\n');

describe('doctor formatters', () => {
  it('exit code: 1 for an error finding', () => assert.equal(report.exitCode, 1));
  it('text: header, finding, evidence, fix; no control character', () => {
    const text = formatDoctorText(report, new Map([['wrong-installation', runbook]]));
    assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    assert.equal(
      text,
      [
        'store: keychain (default)',
        'window: 2026-11-21 09:00:00 UTC to 2026-11-22 09:00:00 UTC; 120 log lines read, 3 skipped (3 not JSON)',
        'connections: app error',
        '',
        '1 finding: 1 error',
        '',
        'ERROR Wrong installation (app) [wrong-installation]',
        '  app: 1 request for repositories of evil�]0;pwned� answered 404�2J',
        '  evidence:',
        '    events.jsonl:7  2026-11-22T08:00:00.000Z  request app path=/repos/evil�]0;pwned�',
        '  fix (runbooks/wrong-installation.md):',
        '    Press b.',
        '  actions: [b] Rebind',
        '  apply:   broker doctor --fix wrong-installation --conn app --action b',
        '',
      ].join('\n'),
    );
  });
  it('json: the docs/design.md §2 names, nothing a terminal would execute', () => {
    const json = formatDoctorJson(report);
    assert.doesNotMatch(json, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    const doc = JSON.parse(json);
    assert.deepEqual(Object.keys(doc), ['store', 'window', 'linesRead', 'linesSkipped', 'skipReasons', 'connections', 'acknowledged', 'ruleFailures', 'findings']);
    assert.deepEqual(doc.window, { since: '2026-11-21T09:00:00.000Z', until: '2026-11-22T09:00:00.000Z' });
    assert.deepEqual(doc.connections, [{ name: 'app', provider: 'github-app', kind: 'service', account: null, health: 'error' }]);
    assert.deepEqual(Object.keys(doc.findings[0]), ['id', 'title', 'severity', 'state', 'conn', 'summary', 'evidence', 'actions']);
    assert.doesNotMatch(doc.findings[0].summary, /[\u001b\u0007\u009b]/);
  });
});
