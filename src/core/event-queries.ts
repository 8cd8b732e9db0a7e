import type { BrokerEvent, LoggedEvent } from './events.js';
import type { Facts } from './findings.js';

// Questions several rules ask of the events in the window.

/** A logged event as the queries hand it out: with its time parsed once (`t`, ms since the epoch). */
export type Logged<E extends BrokerEvent> = LoggedEvent & { event: E; t?: number };

/** The events of one kind for one connection (or every connection), oldest first. */
export function eventsOf<N extends BrokerEvent['event']>(
  facts: Facts,
  name: N,
  conn?: string,
): Array<Logged<Extract<BrokerEvent, { event: N }>>> {
  return (indexOf(facts).get(name)?.get(conn ?? anyConn) ?? []) as Array<Logged<Extract<BrokerEvent, { event: N }>>>;
}

/** Milliseconds since the epoch of a logged event; parseEvent only keeps events whose ts is an ISO time. */
export function timeOf(logged: LoggedEvent & { t?: number }): number {
  return logged.t ?? (Date.parse(logged.event.ts) || 0);
}

// Every rule asks "the refreshes of X" or "the requests of Y": one pass over a window that can hold
// millions of events builds the answer once per Facts, instead of once per rule and connection.
// Keyed event name → connection (or anyConn) → events, oldest first.
const anyConn = '\u0000any';
const indexes = new WeakMap<Facts, Map<string, Map<string, LoggedEvent[]>>>();

function indexOf(facts: Facts): Map<string, Map<string, LoggedEvent[]>> {
  let index = indexes.get(facts);
  if (index) return index;
  index = new Map();
  for (const logged of facts.events) {
    // Parsed once here: rules compare times millions of times over a large window.
    const timed: Logged<BrokerEvent> = { event: logged.event, file: logged.file, line: logged.line, t: Date.parse(logged.event.ts) || 0 };
    let byConn = index.get(logged.event.event);
    if (!byConn) index.set(logged.event.event, (byConn = new Map()));
    for (const key of logged.event.conn === undefined ? [anyConn] : [logged.event.conn, anyConn]) {
      const list = byConn.get(key);
      if (list) list.push(timed);
      else byConn.set(key, [timed]);
    }
  }
  for (const byConn of index.values()) {
    for (const list of byConn.values()) {
      if (list.some((e, i) => i > 0 && timeOf(list[i - 1]!) > timeOf(e))) list.sort((a, b) => timeOf(a) - timeOf(b));
    }
  }
  indexes.set(facts, index);
  return index;
}

/** The latest time in a list, or -Infinity; a loop, because spreading a large window into Math.max overflows the stack. */
export function latestTime(events: LoggedEvent[]): number {
  let latest = -Infinity;
  for (const e of events) latest = Math.max(latest, timeOf(e));
  return latest;
}

/** "03:01:12 UTC": the time of day a tired person matches against a dashboard. */
export function clockTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 19)} UTC`;
}

/** "2026-11-21 03:01:12 UTC" for times that may be on another day. */
export function dateTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** "pid 4412 on ci-runner-3 (agent deploy-bot)": who did it, with what the log knows. */
export function whoDid(event: BrokerEvent): string {
  const parts = [event.pid !== undefined ? `pid ${event.pid}` : 'a process'];
  if (event.host) parts.push(`on ${event.host}`);
  if (event.agent) parts.push(`(agent ${event.agent})`);
  return parts.join(' ');
}

const dayMs = 86_400_000;

/** Whole days, rounded down: "idle 190 days". */
export function days(ms: number): number {
  return Math.floor(ms / dayMs);
}

export function msOfDays(n: number): number {
  return n * dayMs;
}

/** An ISO time from state.json as milliseconds, or undefined. */
export function isoMs(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}
