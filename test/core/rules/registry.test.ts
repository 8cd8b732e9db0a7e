import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { actionIds, type Rule } from '../../../src/core/findings.js';
import { parseRunbook } from '../../../src/core/runbook.js';
import { rules } from '../../../src/core/rules/index.js';

// Registration is checked (ESLint's checkRuleFiles): a rule file that is not in the index, a rule
// without its runbook or its own table of tests, or a runbook naming an unknown action fails here.

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const rulesDir = join(root, 'src', 'core', 'rules');
const ruleFiles = readdirSync(rulesDir).filter((f) => f.endsWith('.ts') && f !== 'index.ts').sort();

function isRule(value: unknown): value is Rule {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return typeof r.id === 'string' && typeof r.severity === 'string' && typeof r.start === 'function' && typeof r.finish === 'function';
}

/** The rules a file exports, by export name. */
async function rulesOf(file: string): Promise<Array<[string, Rule]>> {
  const module = (await import(pathToFileURL(join(rulesDir, file)).href)) as Record<string, unknown>;
  return Object.entries(module).filter((entry): entry is [string, Rule] => isRule(entry[1]));
}

describe('the rule registry (src/core/rules/index.ts)', () => {
  it('has rule files to check', () => {
    assert.ok(ruleFiles.length > 0, `no rule files in ${rulesDir}`);
  });

  it('every rule file exports exactly one rule, and it is registered', async () => {
    for (const file of ruleFiles) {
      const exported = await rulesOf(file);
      assert.equal(exported.length, 1, `src/core/rules/${file} must export exactly one rule, it exports ${exported.length} (${exported.map(([name]) => name).join(', ') || 'none'})`);
      const [name, rule] = exported[0]!;
      assert.ok(rules.includes(rule), `src/core/rules/${file} exports rule "${rule.id}" (${name}) but it is not in the rules array of src/core/rules/index.ts`);
    }
  });

  it('every registered rule comes from its own file, named by its id', async () => {
    const fromFiles = new Map<Rule, string>();
    for (const file of ruleFiles) for (const [, rule] of await rulesOf(file)) fromFiles.set(rule, file);
    for (const rule of rules) {
      const file = fromFiles.get(rule);
      assert.ok(file, `rule "${rule.id}" is registered but no file in src/core/rules/ exports it`);
      assert.equal(file, `${rule.id}.ts`, `rule "${rule.id}" lives in ${file}: the file must be named ${rule.id}.ts`);
    }
    assert.equal(rules.length, ruleFiles.length, `${rules.length} rules registered, ${ruleFiles.length} rule files`);
  });

  it('ids are unique', () => {
    const ids = rules.map((r) => r.id);
    const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
    assert.deepEqual(repeated, [], `ids registered twice: ${repeated.join(', ')}`);
  });

  it('every rule has its runbook and its own test table', () => {
    for (const rule of rules) {
      assert.ok(existsSync(join(root, 'runbooks', `${rule.id}.md`)), `rule "${rule.id}" has no runbooks/${rule.id}.md`);
      assert.ok(existsSync(join(root, 'test', 'core', 'rules', `${rule.id}.test.ts`)), `rule "${rule.id}" has no test/core/rules/${rule.id}.test.ts`);
    }
  });

  it('every action a runbook names is a known action id', () => {
    const known = new Set<string>(actionIds);
    for (const rule of rules) {
      const text = readFileSync(join(root, 'runbooks', `${rule.id}.md`), 'utf8');
      const frontMatter = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text)?.[1];
      assert.ok(frontMatter !== undefined, `runbooks/${rule.id}.md has no front matter`);
      // Read the lines themselves, not only through the parser: a runbook must not name an action the runner does not know.
      const named = [...frontMatter.matchAll(/^\s*(?:-\s+)?action:\s*["']?([^"'\s#]+)/gm)].map((m) => m[1]!);
      for (const action of named) assert.ok(known.has(action), `runbooks/${rule.id}.md names action "${action}", which is not one of ${actionIds.join(', ')}`);
      const parsed = parseRunbook(text);
      assert.deepEqual(parsed.actions.map((a) => a.action), named, `runbooks/${rule.id}.md: the parser and the front matter disagree on the actions`);
      assert.equal(parsed.id, rule.id, `runbooks/${rule.id}.md has id "${parsed.id}"`);
    }
  });
});
