import type { BrokerEvent, LoggedEvent } from '../../src/core/events.js';
import type { Facts, Finding, Rule, StoreStatus } from '../../src/core/findings.js';
import { ConnectionSchema, type Connection } from '../../src/core/state-schema.js';

// Facts for rule table tests: connections with defaults, events given as plain objects numbered as log lines.

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

export function facts(input: FactsInput): Facts {
  return {
    connections: input.connections,
    events: (input.events ?? []).map((event, i): LoggedEvent => ({ event: { pid: 100, host: 'h1', ...event } as unknown as BrokerEvent, file: 'events.jsonl', line: i + 1 })),
    now: new Date(input.now ?? T0),
    env: input.env ?? {},
    store: input.store ?? { backend: 'keychain', reason: 'default', available: true },
  };
}

/** What a rule finds, as "conn severity" keys: the table's expected column. */
export function found(rule: Rule, input: FactsInput): string[] {
  return rule.check(facts(input)).map((f: Finding) => `${f.conn ?? '-'} ${f.severity}`);
}
