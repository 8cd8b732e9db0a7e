import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { actionRefs } from '../../src/core/action-refs.js';
import { actionIds } from '../../src/core/findings.js';
import { parseRunbook } from '../../src/core/runbook.js';
import { isReservedKey, reservedKeys } from '../../src/ui/key-press.js';

// The doctor reads y/N, q, R, d, s, g, G, / and ? itself: an action bound to one could never be
// pressed (or, worse, would run when someone meant to cancel).

const dir = new URL('../../runbooks/', import.meta.url);
const runbooks = readdirSync(dir)
  .filter((f) => f.endsWith('.md'))
  .map((f) => [f, parseRunbook(readFileSync(new URL(f, dir), 'utf8'))] as const);

describe('action keys stay clear of the keys the TUI keeps', () => {
  it('reads every runbook', () => assert.ok(runbooks.length >= 17));
  for (const [file, runbook] of runbooks) {
    it(`${file}: ${runbook.actions.map((a) => a.key).join(', ') || 'no actions'}`, () => {
      for (const a of runbook.actions) {
        assert.ok(!isReservedKey(a.key), `${file}: action ${a.action} uses "${a.key}", which the doctor keeps for itself (${reservedKeys.join(' ')})`);
        assert.match(a.key, /^[a-z]$/, `${file}: an action key is one lowercase letter`);
      }
      assert.equal(new Set(runbook.actions.map((a) => a.key)).size, runbook.actions.length, `${file}: two actions share a key`);
    });
  }
  it('the fallback keys (a runbook that names no key) too', () => {
    for (const ref of actionRefs(...actionIds)) assert.ok(!isReservedKey(ref.key), `${ref.action} falls back to "${ref.key}"`);
  });
});
