import type { FileHandle } from 'node:fs/promises';
import { lineTime } from '../core/parse-event.js';

// The seek by time (binary search) assumes the log is in time order; a clock stepped back or two
// logs merged break that, and the seek alone then skips events of the window. These passes look at
// every line's time without parsing it, so no line is skipped unseen: the bytes before the seek
// point are read anyway to count their lines (evidence cites exact line numbers), and the
// writer's lines start `{"ts":"2026-11-22T03:01:12.345Z"`, whose times compare as bytes.

const tsPrefix = Buffer.from('{"ts":"', 'latin1');
const isoLength = 24;
const fastBytes = tsPrefix.length + isoLength + 1;
const newline = 0x0a;
const chunkBytes = 4 * 1024 * 1024;
const stretches = 3;

/** A window of event times; a line stamped inside it is "in the window". */
export interface TimeWindow {
  fromMs: number;
  untilMs: number;
}

export interface PrefixSurvey {
  /** Newlines in the surveyed range: the lines before the seek point. */
  newlines: number;
  /** The first line in the range stamped inside the window, with the newlines before it. */
  firstInWindow: { offset: number; newlinesBefore: number } | null;
}

/**
 * Counts the lines in [0, end) and finds the first one stamped inside the window, in a few
 * stretches at once so the reads overlap. On a log in time order there is none.
 */
export async function surveyPrefix(handle: FileHandle, end: number, window: TimeWindow): Promise<PrefixSurvey> {
  const bounds = windowBytes(window);
  const inWindow: LineVisitor = {
    iso: (bytes, at) => compareIso(bytes, at, bounds.from, 0) >= 0 && compareIso(bytes, at, bounds.until, 0) <= 0,
    ms: (ms) => ms >= window.fromMs && ms <= window.untilMs,
  };
  const stretch = Math.ceil(end / stretches);
  const parts = await Promise.all(Array.from({ length: stretches }, (_, i) => surveyStretch(handle, i * stretch, Math.min(end, (i + 1) * stretch), inWindow)));
  let newlines = 0;
  let firstInWindow: PrefixSurvey['firstInWindow'] = null;
  for (const part of parts) {
    if (firstInWindow === null && part.first !== null) firstInWindow = { offset: part.first.offset, newlinesBefore: newlines + part.first.newlinesBefore };
    newlines += part.newlines;
  }
  return { newlines, firstInWindow };
}

/** The latest time stamped on any line of the file (not just on the last line), or null when no line has one. */
export async function latestTime(handle: FileHandle, size: number): Promise<number | null> {
  const latestIso = Buffer.alloc(isoLength);
  let seenIso = false;
  let latestMs: number | null = null;
  const latest: LineVisitor = {
    iso: (bytes, at) => {
      if (!seenIso || compareIso(bytes, at, latestIso, 0) > 0) bytes.copy(latestIso, 0, at, at + isoLength);
      seenIso = true;
      return false;
    },
    ms: (ms) => {
      if (latestMs === null || ms > latestMs) latestMs = ms;
      return false;
    },
  };
  const stretch = Math.ceil(size / stretches);
  await Promise.all(Array.from({ length: stretches }, (_, i) => surveyStretch(handle, i * stretch, Math.min(size, (i + 1) * stretch), latest)));
  const fromIso = seenIso ? Date.parse(latestIso.toString('latin1')) : null;
  if (fromIso === null || Number.isNaN(fromIso)) return latestMs;
  return latestMs === null ? fromIso : Math.max(fromIso, latestMs);
}

function windowBytes(window: TimeWindow): { from: Buffer; until: Buffer } {
  // Clamped to the years toISOString writes with four digits, the only ones the writer's lines have.
  const iso = (ms: number) => Buffer.from(new Date(Math.min(Math.max(ms, 0), 253402300799999)).toISOString(), 'latin1');
  return { from: iso(window.fromMs), until: iso(window.untilMs) };
}

/** Byte order of two 24-byte ISO times (the same order as their times). */
function compareIso(a: Buffer, at: number, b: Buffer, bt: number): number {
  for (let k = 0; k < isoLength; k++) {
    const d = (a[at + k] as number) - (b[bt + k] as number);
    if (d !== 0) return d;
  }
  return 0;
}

/** Whether the line starting at bytes[at] begins with a writer-shaped `{"ts":"…Z"` (all of it inside bytes). */
function hasWriterTs(bytes: Buffer, at: number): boolean {
  if (at + fastBytes > bytes.length) return false;
  for (let k = 0; k < tsPrefix.length; k++) if (bytes[at + k] !== tsPrefix[k]) return false;
  return bytes[at + fastBytes - 2] === 0x5a && bytes[at + fastBytes - 1] === 0x22;
}

/** Looks at one line's time: `iso` for a writer-shaped ts (offset of its 24 bytes), `ms` for any other; true marks the line. */
interface LineVisitor {
  iso(bytes: Buffer, at: number): boolean;
  ms(ms: number): boolean;
}

interface StretchSurvey {
  newlines: number;
  first: { offset: number; newlinesBefore: number } | null;
}

/**
 * Visits every line that starts in [from, end) and counts the newlines there. The first line the
 * visitor marks is recorded and ends the visits (the count goes on, at memchr speed). The
 * writer's lines are looked at in place, without a string or an await; only other lines (and a
 * line cut by the chunk's end) are parsed.
 */
async function surveyStretch(handle: FileHandle, from: number, end: number, visit: LineVisitor): Promise<StretchSurvey> {
  const result: StretchSurvey = { newlines: 0, first: null };
  if (end <= from) return result;
  const buffer = Buffer.allocUnsafe(chunkBytes);
  let visiting = true;
  const mark = (offset: number) => {
    result.first = { offset, newlinesBefore: result.newlines };
    visiting = false;
  };
  if (from === 0 && (await visitLineAt(handle, 0, visit))) mark(0);
  // One byte early, so a line starting exactly at `from` is seen after the newline before it.
  let position = from === 0 ? 0 : from - 1;
  while (position < end) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(chunkBytes, end - position), position);
    if (bytesRead === 0) break;
    const chunk = buffer.subarray(0, bytesRead);
    for (let at = chunk.indexOf(newline); at !== -1; at = chunk.indexOf(newline, at + 1)) {
      if (position + at >= from) result.newlines++;
      const start = at + 1;
      const offset = position + start;
      if (!visiting || offset >= end) continue;
      if (hasWriterTs(chunk, start)) {
        if (visit.iso(chunk, start + tsPrefix.length)) mark(offset);
      } else if (await visitLineAt(handle, offset, visit)) {
        // Another writer's line, or one cut by the chunk's end: read on its own.
        mark(offset);
      }
    }
    position += bytesRead;
  }
  return result;
}

const maxVisitedLineBytes = 1024 * 1024;
const lineReadBytes = 64 * 1024;

/** Reads the line at `offset` on its own and shows its time to the visitor; true when it marks it. */
async function visitLineAt(handle: FileHandle, offset: number, visit: LineVisitor): Promise<boolean> {
  const parts: Buffer[] = [];
  let total = 0;
  const buffer = Buffer.allocUnsafe(lineReadBytes);
  for (let position = offset; total <= maxVisitedLineBytes; ) {
    const { bytesRead } = await handle.read(buffer, 0, lineReadBytes, position);
    if (bytesRead === 0) break;
    const nl = buffer.subarray(0, bytesRead).indexOf(newline);
    const take = nl === -1 ? bytesRead : nl;
    parts.push(Buffer.from(buffer.subarray(0, take)));
    total += take;
    if (nl !== -1) break;
    position += bytesRead;
  }
  // A line over the reader's cap is skipped by the reader too: its time does not matter.
  if (total > maxVisitedLineBytes) return false;
  const line = Buffer.concat(parts);
  if (hasWriterTs(line, 0)) return visit.iso(line, tsPrefix.length);
  const ms = lineTime(line.toString('utf8')) ?? undefined;
  return ms !== undefined && visit.ms(ms);
}
