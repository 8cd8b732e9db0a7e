import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { diagnoseScenario, loadScenario, scenarioNames } from '../../fixtures/scenarios/load-scenario.js';
import { readRunbook } from '../../src/adapters/runbook-files.js';
import { rules } from '../../src/core/rules/index.js';

const names = scenarioNames();
const key = (f: { id: string; conn: string | null; severity: string; state?: string }) => `${f.id} ${f.conn ?? '-'} ${f.severity} ${f.state ?? 'active'}`;

describe('scenarios yield exactly their expected findings', () => {
  for (const name of names) {
    it(name, () => {
      const scenario = loadScenario(name);
      // Every line of a scenario log is a real event: nothing is silently skipped.
      const lines = readFileSync(join(scenario.dir, 'events.jsonl'), 'utf8').split('\n').filter(Boolean).length;
      assert.equal(scenario.events.length, lines);
      const { findings, ruleFailures } = diagnoseScenario(scenario);
      assert.deepEqual(ruleFailures, []);
      assert.deepEqual(findings.map(key).sort(), scenario.expected.findings.map(key).sort(), findings.map((f) => f.summary).join('\n'));
      for (const finding of findings) {
        assert.doesNotMatch(finding.summary, /[\u0000-\u001f\u007f-\u009f]/);
        for (const evidence of finding.evidence) assert.doesNotMatch(evidence.text, /[\u0000-\u001f\u007f-\u009f]/);
        const runbook = readRunbook(finding.id);
        for (const action of finding.actions) {
          assert.ok(runbook?.actions.some((a) => a.action === action.action), `${finding.id} attaches ${action.action}, which runbooks/${finding.id}.md does not list`);
        }
      }
    });
  }
});

describe('scenario coverage', () => {
  it('has a scenario for every rule, a healthy one and one with several failures', () => {
    const fired = new Set(names.flatMap((n) => loadScenario(n).expected.findings.map((f) => f.id)));
    for (const rule of rules) assert.ok(fired.has(rule.id), `no scenario expects ${rule.id}`);
    assert.deepEqual(loadScenario('healthy').expected.findings, []);
    assert.ok(loadScenario('several-failures').expected.findings.length >= 3);
  });

  it('classifies the same cause from different providers the same way', () => {
    for (const headline of ['refresh-race', 'client-secret-rotated', 'idle-revoked']) {
      const variants = names.filter((n) => n.startsWith(`${headline}-`));
      assert.ok(variants.length >= 3, `${headline}: ${variants.join(', ')}`);
      for (const name of variants) {
        const ids = diagnoseScenario(loadScenario(name)).findings.map((f) => f.id);
        assert.deepEqual(ids, [headline], name);
      }
    }
  });
});

describe('finding details', () => {
  it('names processes, time and error in a race summary and cites both refreshes', () => {
    const [finding] = diagnoseScenario(loadScenario('refresh-race-github')).findings;
    assert.equal(finding?.summary, 'github-work: 2 processes refreshed the same token at 03:01:12 UTC; pid 3120 on agent-host-1 (agent triage-bot) lost with bad_refresh_token; GitHub may revoke the whole token family on reuse: if the next refresh fails, log in again');
    assert.deepEqual(finding?.evidence.map((e) => e.line), [90, 91]);
    assert.match(finding!.evidence[1]!.text, /^refresh github-work trigger=reactive outcome=error status=200 error=bad_refresh_token/);
  });
  it('says the family is gone when the winner\'s own token fails afterwards (oidc)', () => {
    const [finding] = diagnoseScenario(loadScenario('refresh-race-oidc')).findings;
    assert.match(finding!.summary, /revoked the whole token family/);
    assert.equal(finding!.actions[0]?.action, 'relogin');
  });
});
