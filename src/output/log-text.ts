import type { LoggedEvent } from '../core/events.js';
import { redactRecord } from '../core/redact-event.js';
import { stripControl } from '../core/strip-control.js';

const leadingFields = new Set(['ts', 'conn', 'event']);

/**
 * One line per event: `ts  conn  event  key=value …`, redacted, with every control character
 * replaced, so an escape sequence planted in a log line never reaches the terminal.
 */
export function formatLogLine(logged: LoggedEvent): string {
  const event = redactRecord(logged.event) as unknown as Record<string, unknown>;
  const rest = Object.entries(event)
    .filter(([key, value]) => !leadingFields.has(key) && value !== undefined && value !== null)
    .map(([key, value]) => `${key}=${formatValue(value)}`);
  const head = [String(event.ts), typeof event.conn === 'string' ? event.conn : '-', String(event.event)];
  return stripControl([...head, ...rest].join('  '));
}

export function formatLogText(events: LoggedEvent[]): string {
  return events.map((logged) => `${formatLogLine(logged)}\n`).join('');
}

export interface LogDocument {
  window: { since: string | null; until: string };
  linesRead: number;
  linesSkipped: number;
  files: string[];
  events: LoggedEvent[];
}

/**
 * The --json document, redacted, in pieces of a thousand events, so a big window is never one
 * giant string. JSON.stringify escapes C0 controls but passes C1 (U+0080–U+009F, 8-bit CSI among
 * them) and DEL through raw, so those are escaped too.
 */
export function* formatLogJson(document: LogDocument): Generator<string> {
  const { events, ...head } = document;
  yield `${safeJson(head).slice(0, -1)},"events":[`;
  for (let at = 0; at < events.length; at += 1000) {
    const batch = safeJson(events.slice(at, at + 1000).map((logged) => ({ ...logged, event: redactRecord(logged.event) })));
    yield `${at === 0 ? '' : ','}${batch.slice(1, -1)}`;
  }
  yield ']}\n';
}

export function safeJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(/[\u007f-\u009f]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return value === '' || /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
