import type { BrokerEvent, LoggedEvent } from './events.js';
import type { Facts } from './findings.js';
import { eventTime } from './parse-event.js';

// Questions several rules ask of the events in the window.

export type Logged<E extends BrokerEvent> = LoggedEvent & { event: E };

/** The events of one kind for one connection (or every connection), oldest first. */
export function eventsOf<N extends BrokerEvent['event']>(
  facts: Facts,
  name: N,
  conn?: string,
): Array<Logged<Extract<BrokerEvent, { event: N }>>> {
  return facts.events
    .filter((logged) => logged.event.event === name && (conn === undefined || logged.event.conn === conn))
    .sort((a, b) => timeOf(a) - timeOf(b)) as Array<Logged<Extract<BrokerEvent, { event: N }>>>;
}

/** Milliseconds since the epoch of a logged event (the reader only keeps events with a valid ts). */
export function timeOf(logged: LoggedEvent): number {
  return eventTime(logged.event.ts) ?? 0;
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
