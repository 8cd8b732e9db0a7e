import type { BrokerEvent } from './events.js';

// How rules speak of times and actors.

/** "03:01:12 UTC": the time of day a tired person matches against a dashboard. */
export function clockTime(ms: number): string {
  return `${isoOrUnknown(ms).slice(11, 19)} UTC`;
}

/** "2026-11-21 03:01:12 UTC" for times that may be on another day. */
export function dateTime(ms: number): string {
  return `${isoOrUnknown(ms).slice(0, 19).replace('T', ' ')} UTC`;
}

// A time from a log line (a rate-limit reset of 1e300) can be past what a Date can hold.
function isoOrUnknown(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? '????-??-??T??:??:??' : date.toISOString();
}

/** "pid 4412 on ci-runner-3 (agent deploy-bot)": who did it, with what the log knows. */
export function whoDid(event: BrokerEvent): string {
  const parts = [event.pid !== undefined ? `pid ${event.pid}` : 'a process'];
  if (event.host) parts.push(`on ${event.host}`);
  if (event.agent) parts.push(`(agent ${event.agent})`);
  return parts.join(' ');
}

const dayMs = 86_400_000;
const hourMs = 3_600_000;

/** Whole days, rounded down: "idle 190 days". */
export function days(ms: number): number {
  return Math.floor(ms / dayMs);
}

export function msOfDays(n: number): number {
  return n * dayMs;
}

/** The hour an event falls in, counted from the epoch: how time-windowed rules bucket the log. */
export function hourOf(ms: number): number {
  return Math.floor(ms / hourMs);
}

export function msOfHour(hour: number): number {
  return hour * hourMs;
}

/** An ISO time from state.json as milliseconds, or undefined. */
export function isoMs(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}
