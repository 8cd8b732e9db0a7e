import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diagnoseEvents, startDiagnosis } from '../../../src/core/diagnose.js';
import { defineRule, type Rule } from '../../../src/core/findings.js';
import { rules } from '../../../src/core/rules/index.js';
import { rateLimited } from '../../../src/core/rules/rate-limited.js';
import { wrongAccount } from '../../../src/core/rules/wrong-account.js';
import { at, conn, facts, minute, type FactsInput } from '../../support/facts.js';

// A rule that throws becomes a line naming the rule and the log line; the other rules' findings still show (STYLE 17).

const gh = conn({ name: 'gh', provider: 'github', account: 'bot', refreshTokenFp: 'rt2', lastRefreshAt: at(-minute * 30) });
const input: FactsInput = {
  connections: [gh],
  events: [
    { ts: at(-5 * minute), event: 'request', conn: 'gh', method: 'GET', target: 'api.github.com', path: '/user', status: 429, 'retry-after': '30' },
    { ts: at(-4 * minute), event: 'probe', conn: 'gh', check: 'identity', outcome: 'ok', identity: 'alice' },
    { ts: at(-3 * minute), event: 'token', conn: 'gh', at_fp: 'a1', generation: 1 },
    { ts: at(-2 * minute), event: 'request', conn: 'gh', method: 'GET', target: 'api.github.com', path: '/user', status: 429 },
    { ts: at(-minute), event: 'refresh', conn: 'gh', trigger: 'reactive', outcome: 'error', status: 200, error: 'bad_refresh_token', rt_fp: 'rt2', pid: 9 },
  ],
};

/** A rule that records the lines it saw and throws on one of them, or in finish. */
function thrower(id: string, throwsAt: { line?: number; inFinish?: boolean; value?: unknown }) {
  const seen: number[] = [];
  let finished = 0;
  const rule = defineRule({
    id,
    severity: 'error',
    start: () => ({ lines: 0 }),
    observe(state, logged) {
      seen.push(logged.line);
      state.lines++;
      if (logged.line === throwsAt.line) throw throwsAt.value ?? new Error(`${id} cannot read line ${logged.line}`);
    },
    finish() {
      finished++;
      if (throwsAt.inFinish) throw throwsAt.value ?? new Error(`${id} cannot conclude`);
      return [];
    },
  });
  return { rule, seen, finishedCount: () => finished };
}

const idsOf = (findings: Array<{ id: string; conn: string | null; state: string }>) => findings.map((f) => `${f.id} ${f.conn} ${f.state}`);

describe('a rule that throws', () => {
  it('in observe: named with its log line, not fed again, and the others go on', () => {
    const boom = thrower('boom-observe', { line: 3 });
    const { ctx, events } = facts(input);
    const diagnosis = diagnoseEvents(ctx, events, [rateLimited, boom.rule, wrongAccount]);
    assert.deepEqual(diagnosis.ruleFailures, [{ rule: 'boom-observe', at: 'events.jsonl:3', message: 'boom-observe cannot read line 3' }]);
    assert.deepEqual(idsOf(diagnosis.findings), ['wrong-account gh active', 'rate-limited gh active']);
    assert.deepEqual(diagnosis.findings.find((f) => f.id === 'rate-limited')!.evidence.map((e) => e.line), [1, 4]);
    assert.deepEqual(boom.seen, [1, 2, 3], 'a failed rule is not fed the lines after its failure');
    assert.equal(boom.finishedCount(), 0, 'a rule that failed while reading is not asked to conclude');
  });

  it('in finish: named without a line, and the others go on', () => {
    const boom = thrower('boom-finish', { inFinish: true });
    const { ctx, events } = facts(input);
    const diagnosis = diagnoseEvents(ctx, events, [rateLimited, boom.rule, wrongAccount]);
    assert.deepEqual(diagnosis.ruleFailures, [{ rule: 'boom-finish', message: 'boom-finish cannot conclude' }]);
    assert.deepEqual(idsOf(diagnosis.findings), ['wrong-account gh active', 'rate-limited gh active']);
    assert.deepEqual(boom.seen, [1, 2, 3, 4, 5]);
  });

  it('among every registered rule: the findings are exactly those without it', () => {
    const { ctx, events } = facts(input);
    const without = diagnoseEvents(ctx, events, rules);
    assert.deepEqual(without.ruleFailures, []);
    assert.ok(without.findings.length >= 3, idsOf(without.findings).join(', '));
    for (const boom of [thrower('boom-observe', { line: 2 }), thrower('boom-finish', { inFinish: true })]) {
      // First, last and in the middle of the list: its place does not matter.
      for (const list of [[boom.rule, ...rules], [...rules, boom.rule], [...rules.slice(0, 8), boom.rule, ...rules.slice(8)]]) {
        const run = startDiagnosis(ctx.connections, { rules: list });
        for (const logged of events) run.observe(logged);
        const diagnosis = run.finish(ctx);
        assert.deepEqual(diagnosis.findings, without.findings);
        assert.deepEqual(diagnosis.ruleFailures.map((f) => `${f.rule} ${f.at ?? '-'}`), [boom.rule.id === 'boom-observe' ? 'boom-observe events.jsonl:2' : 'boom-finish -']);
      }
    }
  });

  it('names the file it was reading: a rotated log too', () => {
    const boom = thrower('boom-observe', { line: 7 });
    const { ctx, events } = facts(input);
    const rotated = events.map((e, i) => ({ ...e, file: 'events.1.jsonl', line: i + 5 }));
    const diagnosis = diagnoseEvents(ctx, rotated, [boom.rule, rateLimited]);
    assert.deepEqual(diagnosis.ruleFailures, [{ rule: 'boom-observe', at: 'events.1.jsonl:7', message: 'boom-observe cannot read line 7' }]);
    assert.deepEqual(idsOf(diagnosis.findings), ['rate-limited gh active']);
  });

  it('a thrown value that is not an Error is named as text', () => {
    const boom = thrower('boom-string', { line: 1, value: 'plain string' });
    const { ctx, events } = facts(input);
    assert.deepEqual(diagnoseEvents(ctx, events, [boom.rule]).ruleFailures, [{ rule: 'boom-string', at: 'events.jsonl:1', message: 'plain string' }]);
  });

  it('two throwing rules are both named, in the order they failed', () => {
    const late = thrower('boom-late', { line: 4 });
    const early = thrower('boom-early', { line: 2 });
    const { ctx, events } = facts(input);
    const diagnosis = diagnoseEvents(ctx, events, [late.rule, rateLimited, early.rule]);
    assert.deepEqual(diagnosis.ruleFailures.map((f) => `${f.rule} ${f.at}`), ['boom-early events.jsonl:2', 'boom-late events.jsonl:4']);
    assert.deepEqual(idsOf(diagnosis.findings), ['rate-limited gh active']);
  });

  it('finishing again, or resuming from the saved state, names each failure once and keeps the failed rule out', () => {
    const boom = thrower('boom-observe', { line: 3 });
    const fin = thrower('boom-finish', { inFinish: true });
    const { ctx, events } = facts(input);
    const list = [boom.rule, fin.rule, rateLimited];
    const run = startDiagnosis(ctx.connections, { rules: list });
    for (const logged of events.slice(0, 4)) run.observe(logged);
    const first = run.finish(ctx);
    const again = run.finish(ctx);
    assert.deepEqual(again.ruleFailures, first.ruleFailures);
    assert.deepEqual(first.ruleFailures.map((f) => `${f.rule} ${f.at ?? '-'}`), ['boom-observe events.jsonl:3', 'boom-finish -']);

    const resumed = startDiagnosis(ctx.connections, { rules: list, resume: structuredClone(run.state()) });
    resumed.observe(events[4]!);
    const later = resumed.finish(ctx);
    assert.deepEqual(later.ruleFailures.map((f) => `${f.rule} ${f.at ?? '-'}`), ['boom-observe events.jsonl:3', 'boom-finish -']);
    assert.deepEqual(boom.seen, [1, 2, 3], 'the rule that failed stays out after a resume');
    assert.deepEqual(idsOf(later.findings), ['rate-limited gh active']);
  });

  it('a rule that never throws leaves ruleFailures empty', () => {
    const quiet: Rule = defineRule({ id: 'quiet', severity: 'info', start: () => null, finish: () => [] });
    const { ctx, events } = facts(input);
    assert.deepEqual(diagnoseEvents(ctx, events, [quiet]).ruleFailures, []);
  });
});
