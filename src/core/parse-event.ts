import type { BrokerEvent } from './events.js';

// ISO-8601 with a zone: what the writer emits (toISOString) plus offsets a hand-written line may carry.
const isoTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

const commonFieldTypes: ReadonlyArray<readonly [string, 'string' | 'number' | 'boolean']> = [
  ['conn', 'string'],
  ['pid', 'number'],
  ['host', 'string'],
  ['agent', 'string'],
  ['task', 'string'],
  ['ci', 'boolean'],
];

/**
 * One log line → an event, or null when the line is not one. Any JSON object with an ISO `ts` and a
 * string `event` is kept, unknown event names too (rules ignore what they do not know). Common
 * fields of the wrong type are dropped, so rules can trust `conn` is a string when present.
 */
export function parseEvent(line: string): BrokerEvent | null {
  return parseTimedEvent(line)?.event ?? null;
}

/** parseEvent, plus the event's time in epoch ms (the log reader compares times on every line). */
export function parseTimedEvent(line: string): { event: BrokerEvent; ms: number } | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const record = value as Record<string, unknown>;
  if (typeof record.event !== 'string' || record.event === '') return null;
  const ms = eventTime(record.ts);
  if (ms === null) return null;
  for (const [field, type] of commonFieldTypes) {
    const fieldValue = record[field];
    if (fieldValue !== undefined && typeof fieldValue !== type) delete record[field];
  }
  return { event: record as unknown as BrokerEvent, ms };
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
