import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { readRunbook, runbooksDir } from '../../src/adapters/runbook-files.js';
import { runbookSections } from '../../src/core/runbook.js';
import { rules } from '../../src/core/rules/index.js';

describe('runbooks/', () => {
  it('has a runbook for every rule, with its id, severity and every section', () => {
    for (const rule of rules) {
      const runbook = readRunbook(rule.id);
      assert.ok(runbook, `rule ${rule.id} has no runbooks/${rule.id}.md`);
      assert.equal(runbook.id, rule.id);
      assert.equal(runbook.severity, rule.severity, `${rule.id}: severity differs between rule and runbook`);
      for (const section of runbookSections) assert.ok(runbook.sections[section]?.length, `${rule.id}: section "${section}" is missing or empty`);
      assert.equal(new Set(runbook.actions.map((a) => a.key)).size, runbook.actions.length, `${rule.id}: duplicate action keys`);
    }
  });
  it('has no runbook without a rule, and every one parses (unknown actions fail the parse)', () => {
    const ids = new Set(rules.map((r) => r.id));
    for (const file of readdirSync(runbooksDir()).filter((f) => f.endsWith('.md'))) {
      const id = file.replace(/\.md$/, '');
      assert.ok(ids.has(id), `runbooks/${file} has no rule`);
      assert.doesNotThrow(() => readRunbook(id), `runbooks/${file}`);
    }
  });
});
