import assert from 'node:assert/strict';
import { diagnoseEvents, type NowContext } from '../../src/core/diagnose.js';
import type { BrokerEvent, LoggedEvent } from '../../src/core/events.js';
import type { Finding, FindingState, Rule, Severity, StoreStatus } from '../../src/core/findings.js';
import { parseEventLine } from '../../src/core/parse-event.js';
import { ConnectionSchema, type Connection } from '../../src/core/state-schema.js';

// Rule table tests: connections with defaults, events given as plain objects numbered as log lines,
// each checked by its kind's schema as the log reader would.

export const T0 = Date.parse('2026-11-22T09:00:00.000Z');
export const minute = 60_000;
export const hour = 60 * minute;
export const day = 24 * hour;

export function at(offsetMs: number): string {
  return new Date(T0 + offsetMs).toISOString();
}

export function conn(fields: Partial<Connection> & Pick<Connection, 'name' | 'provider'>): Connection {
  return ConnectionSchema.parse({ kind: 'service', createdAt: '2026-01-01T00:00:00.000Z', ...fields });
}

export interface FactsInput {
  connections: Connection[];
  events?: Array<Record<string, unknown>>;
  now?: number;
  env?: Record<string, string>;
  store?: StoreStatus;
}

export function facts(input: FactsInput): { ctx: NowContext; events: LoggedEvent[] } {
  const events = (input.events ?? []).map((fields, i): LoggedEvent => {
    const parsed = parseEventLine(JSON.stringify({ pid: 100, host: 'h1', ...fields }));
    if (!parsed.ok) throw new Error(`test event ${i + 1} is not a valid event: ${parsed.reason}`);
    return { event: parsed.event as BrokerEvent, file: 'events.jsonl', line: i + 1, t: parsed.ms };
  });
  return {
    ctx: { connections: input.connections, now: new Date(input.now ?? T0), env: input.env ?? {}, store: input.store ?? { backend: 'keychain', reason: 'default', available: true } },
    events,
  };
}

/** One rule folded over the events, as the doctor runs it; a rule that throws fails the test. */
export function check(rule: Rule, input: FactsInput): Finding[] {
  const { ctx, events } = facts(input);
  const diagnosis = diagnoseEvents(ctx, events, [rule]);
  if (diagnosis.ruleFailures.length > 0) throw new Error(`rule failed: ${JSON.stringify(diagnosis.ruleFailures)}`);
  return diagnosis.findings;
}

/** What a rule finds, as "conn severity" keys (", resolved" when a later success ended it): the table's expected column. */
export function found(rule: Rule, input: FactsInput): string[] {
  return check(rule, input).map((f: Finding) => `${f.conn ?? '-'} ${f.severity}${f.state === 'resolved' ? ' resolved' : ''}`);
}

/** Every rule over the events, as `broker doctor` runs them. */
export function diagnoseAll(input: FactsInput): Finding[] {
  const { ctx, events } = facts(input);
  const diagnosis = diagnoseEvents(ctx, events);
  if (diagnosis.ruleFailures.length > 0) throw new Error(`rule failed: ${JSON.stringify(diagnosis.ruleFailures)}`);
  return diagnosis.findings;
}

/** One finding as a rule's table states it: which rule, which connection, how severe, active or resolved, the lines it cites. */
export interface Expected {
  id: string;
  conn: string | null;
  severity: Severity;
  state: FindingState;
  /** The cited log lines in order (events are numbered 1, 2, 3… by facts()); 0 for a setting. */
  lines: number[];
  /** The cited files, when they are not all events.jsonl. */
  files?: string[];
  summary?: string | RegExp;
}

/** A row of a rule's table: valid when it expects nothing, invalid when it expects findings (in the doctor's order). */
export interface RuleCase {
  name: string;
  input: FactsInput;
  expected: Expected[];
}

/** The Expected of one rule, written as (conn, state, lines, summary?): `const race = expecting('refresh-race', 'critical')`. */
export function expecting(id: string, severity: Severity) {
  return (conn: string | null, state: FindingState, lines: number[], summary?: string | RegExp): Expected => ({ id, conn, severity, state, lines, ...(summary !== undefined ? { summary } : {}) });
}

const controls = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Checks a row: every finding's id, connection, severity, state and cited file:line, each summary
 * given, and that the evidence is safe to print (no control characters, one short line).
 */
export function expectFindings(rule: Rule, input: FactsInput, expected: Expected[]): Finding[] {
  const findings = check(rule, input);
  const cited = (files: string[], lines: number[]) => lines.map((line, i) => `${files[i]}:${line}`);
  assert.deepEqual(
    findings.map((f) => ({ id: f.id, conn: f.conn, severity: f.severity, state: f.state, evidence: cited(f.evidence.map((e) => e.file), f.evidence.map((e) => e.line)) })),
    expected.map((e) => ({ id: e.id, conn: e.conn, severity: e.severity, state: e.state, evidence: cited(e.files ?? e.lines.map(() => 'events.jsonl'), e.lines) })),
  );
  expected.forEach((e, i) => {
    if (typeof e.summary === 'string') assert.equal(findings[i]!.summary, e.summary);
    else if (e.summary) assert.match(findings[i]!.summary, e.summary);
  });
  for (const finding of findings) {
    assert.equal(finding.resolvedAt !== undefined, finding.state === 'resolved', `${finding.id}: resolvedAt is set exactly when resolved`);
    // A resolved finding ends with the success that ended it.
    if (finding.resolvedAt !== undefined) assert.equal(Date.parse(finding.evidence.at(-1)!.ts), Date.parse(finding.resolvedAt), `${finding.id}: the last evidence is the success`);
    for (const evidence of finding.evidence) {
      assert.doesNotMatch(`${evidence.file} ${evidence.ts} ${evidence.text}`, controls, `${finding.id}: evidence must be safe to print`);
      assert.ok(evidence.text.length <= 400, `${finding.id}: evidence text is ${evidence.text.length} characters`);
    }
  }
  return findings;
}
