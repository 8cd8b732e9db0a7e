import type { BrokerEvent } from './events.js';

// ISO-8601 with a zone: what the writer emits (toISOString) plus offsets a hand-written line may carry.
const isoTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

const commonFieldTypes: Record<string, 'string' | 'number' | 'boolean'> = {
  conn: 'string',
  pid: 'number',
  host: 'string',
  agent: 'string',
  task: 'string',
  ci: 'boolean',
};

/**
 * One log line → an event, or null when the line is not one. Any JSON object with an ISO `ts` and a
 * string `event` is kept, unknown event names too (rules ignore what they do not know). Common
 * fields of the wrong type are dropped, so rules can trust `conn` is a string when present.
 */
export function parseEvent(line: string): BrokerEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const record = value as Record<string, unknown>;
  if (typeof record.event !== 'string' || record.event === '') return null;
  if (eventTime(record.ts) === null) return null;
  for (const [field, type] of Object.entries(commonFieldTypes)) {
    if (field in record && typeof record[field] !== type) delete record[field];
  }
  return record as unknown as BrokerEvent;
}

/** Milliseconds since the epoch of an event's `ts`, or null when it is not an ISO time. */
export function eventTime(ts: unknown): number | null {
  if (typeof ts !== 'string' || !isoTime.test(ts)) return null;
  const ms = Date.parse(ts);
  return Number.isNaN(ms) ? null : ms;
}
