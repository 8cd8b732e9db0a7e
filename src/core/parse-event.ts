import { eventSchemas, type BrokerEvent, type EventName } from './events.js';

// ISO-8601 with a zone: what the writer emits (toISOString) plus offsets a hand-written line may carry.
const isoTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

export type ParsedLine = { ok: true; event: BrokerEvent; ms: number } | { ok: false; reason: string };

/**
 * One log line → an event checked against its kind's schema, or the reason it is not one (the
 * reader counts skipped lines by reason). Never throws, whatever the line holds.
 */
export function parseEventLine(line: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, reason: 'not a JSON object' };
  const record = value as Record<string, unknown>;
  const ms = eventTime(record.ts);
  if (ms === null) return { ok: false, reason: 'no ISO ts' };
  const name = record.event;
  if (typeof name !== 'string' || !Object.hasOwn(eventSchemas, name)) return { ok: false, reason: typeof name === 'string' ? 'unknown event kind' : 'no event name' };
  const parsed = eventSchemas[name as EventName].safeParse(record);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path[0];
    const missing = issue?.code === 'invalid_type' && issue.path.length === 1 && typeof field === 'string' && !Object.hasOwn(record, field);
    return { ok: false, reason: `${name}: ${issue?.path.join('.') || 'line'} ${missing ? 'is missing' : issue?.code === 'invalid_type' ? 'has the wrong type' : 'is invalid'}` };
  }
  return { ok: true, event: parsed.data as BrokerEvent, ms };
}

/** parseEventLine without the reason: the event and its time in epoch ms, or null. */
export function parseTimedEvent(line: string): { event: BrokerEvent; ms: number } | null {
  const parsed = parseEventLine(line);
  return parsed.ok ? parsed : null;
}

export function parseEvent(line: string): BrokerEvent | null {
  return parseTimedEvent(line)?.event ?? null;
}

/** The `ts` of a line that is a JSON object with one, whether or not the rest is a valid event (the reader seeks by it). */
export function lineTime(line: string): number | null {
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === 'object' ? eventTime((value as { ts?: unknown }).ts) : null;
  } catch {
    return null;
  }
}

/** Milliseconds since the epoch of an event's `ts`, or null when it is not an ISO time. */
export function eventTime(ts: unknown): number | null {
  if (typeof ts !== 'string') return null;
  const fast = canonicalTime(ts);
  if (fast !== null) return fast;
  if (!isoTime.test(ts)) return null;
  const ms = Date.parse(ts);
  return Number.isNaN(ms) ? null : ms;
}

// The writer's own form, 2026-11-22T03:01:12.345Z, read from char codes: ~20× cheaper than Date.parse.
function canonicalTime(ts: string): number | null {
  if (ts.length !== 24 || ts.charCodeAt(23) !== 90 /* Z */ || ts.charCodeAt(10) !== 84 /* T */) return null;
  if (ts.charCodeAt(4) !== 45 || ts.charCodeAt(7) !== 45 || ts.charCodeAt(13) !== 58 || ts.charCodeAt(16) !== 58 || ts.charCodeAt(19) !== 46) return null;
  const year = digits(ts, 0, 4);
  const month = digits(ts, 5, 2);
  const day = digits(ts, 8, 2);
  const hour = digits(ts, 11, 2);
  const minute = digits(ts, 14, 2);
  const second = digits(ts, 17, 2);
  const milli = digits(ts, 20, 3);
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || milli < 0) return null;
  return Date.UTC(year, month - 1, day, hour, minute, second, milli);
}

function digits(text: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}
