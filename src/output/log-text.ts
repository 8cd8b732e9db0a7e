import type { LoggedEvent } from '../core/events.js';
import { redactRecord } from '../core/redact-event.js';
import { escapeTerminalUnsafe, stripControl } from '../core/strip-control.js';

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

export interface LogWindow {
  since: string | null;
  until: string;
}

export interface LogSummary {
  linesRead: number;
  linesSkipped: number;
  files: string[];
}

// The --json document is written as it is read: {"window", "events": [...], "linesRead",
// "linesSkipped", "files"}; the counts come last because they are known last.

export function logJsonHead(window: LogWindow): string {
  return `{"window":${safeJson(window)},"events":[`;
}

/** A batch of events for the array, redacted; `first` says whether a comma must lead. */
export function logJsonEvents(events: LoggedEvent[], first: boolean): string {
  if (events.length === 0) return '';
  const batch = safeJson(events.map((logged) => ({ file: logged.file, line: logged.line, event: redactRecord(logged.event) })));
  return `${first ? '' : ','}${batch.slice(1, -1)}`;
}

export function logJsonTail(summary: LogSummary): string {
  return `],${safeJson({ linesRead: summary.linesRead, linesSkipped: summary.linesSkipped, files: summary.files }).slice(1)}\n`;
}

/**
 * JSON.stringify escapes C0 controls but passes C1 (U+0080–U+009F, 8-bit CSI among them), DEL and
 * the bidi controls through raw, so those are escaped too.
 */
export function safeJson(value: unknown, indent?: number): string {
  return escapeTerminalUnsafe(JSON.stringify(value, null, indent));
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return value === '' || /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
