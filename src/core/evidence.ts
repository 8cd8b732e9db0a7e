import type { LoggedEvent } from './events.js';
import type { Evidence } from './findings.js';
import { redactRecord } from './redact-event.js';
import { stripControl } from './strip-control.js';

// Evidence is printed on a terminal and copied into tickets: one short line, redacted, no controls.
const maxValueChars = 160;
const maxTextChars = 400;
const omitted = new Set(['ts', 'event', 'conn']);

/** Cites one log line: where it is, when, and a redacted one-line rendering of what it says. */
export function evidenceFrom(logged: LoggedEvent): Evidence {
  const record = redactRecord(logged.event) as unknown as Record<string, unknown>;
  const fields = Object.entries(record)
    .filter(([key, value]) => !omitted.has(key) && value !== undefined && value !== null && value !== '')
    .map(([key, value]) => `${key}=${renderValue(value)}`);
  const head = `${String(record.event)}${typeof record.conn === 'string' ? ` ${record.conn}` : ''}`;
  return {
    file: stripControl(logged.file),
    line: logged.line,
    ts: stripControl(String(record.ts)),
    text: clip(stripControl([head, ...fields].join(' ')), maxTextChars),
  };
}

/** Evidence for something that is not a log line (the environment, the store): cited by name. */
export function evidenceFromSetting(source: string, ts: string, text: string): Evidence {
  return { file: stripControl(source), line: 0, ts, text: clip(stripControl(text), maxTextChars) };
}

function renderValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const clipped = clip(text, maxValueChars);
  return /[\s"=]/.test(clipped) ? JSON.stringify(clipped) : clipped;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
