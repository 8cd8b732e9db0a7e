import { diagnoseEvents, type NowContext } from '../../src/core/diagnose.js';
import type { BrokerEvent, LoggedEvent } from '../../src/core/events.js';
import type { Finding, Rule, StoreStatus } from '../../src/core/findings.js';
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
