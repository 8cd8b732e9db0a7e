import { readdir, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { BrokerError } from '../core/broker-error.js';
import type { LoggedEvent } from '../core/events.js';
import { exitCodes } from '../core/exit-codes.js';
import { rotatedLogPath } from '../core/log-files.js';
import { lineTime as timeOfLine, parseEventLine } from '../core/parse-event.js';
import { openLogForReading } from './event-log-file.js';
import { latestTime, surveyPrefix, type PrefixSurvey } from './event-log-survey.js';
import { openRotatedLogIndex } from './rotated-log-index.js';
import type { HomePaths } from './home.js';

export interface EventQuery {
  /** null reads the whole log. */
  since: Date | null;
  until: Date;
  conn?: string;
  /** Keep only lines whose raw bytes contain this text, like grep (tested before any parsing). */
  match?: string;
}

export interface EventLogSummary {
  /** Lines in the stretch of the log that was read (a seek leaves the older lines unread). */
  linesRead: number;
  /** Lines that were not events: malformed JSON, over the length cap, no ISO ts, an unknown kind, or not its kind's schema. */
  linesSkipped: number;
  /** Skipped lines by reason ("not JSON", "refresh: error has the wrong type" …). */
  skipReasons: Record<string, number>;
  /** Base names of the files read, oldest first. */
  files: string[];
}

export interface EventLogRead extends EventLogSummary {
  events: LoggedEvent[];
}

/** A line longer than this is skipped without being held in memory whole. */
export const maxLineBytes = 1024 * 1024;
// Concurrent writers stamp ts before their write(2), so lines can be out of order by a few ms; a
// minute of slack when seeking costs a few KB of extra reading and keeps the seek exact.
const reorderSlackMs = 60_000;
const scanChunkBytes = 1024 * 1024;
const probeChunkBytes = 16 * 1024;
const seekStopBytes = 64 * 1024;
const newline = 0x0a;

/**
 * Reads the events in a window from the rotated files (events.N.jsonl, higher N older) and then
 * events.jsonl, oldest first, streaming over Buffers. With `since` it seeks by time (binary search on
 * byte offsets) instead of reading from the top, and skips rotated files that end before the window.
 */
export async function readEvents(paths: HomePaths, query: EventQuery): Promise<EventLogRead> {
  const events: LoggedEvent[] = [];
  const summary = await visitEvents(paths, query, (logged) => events.push(logged), true);
  return { events, ...summary };
}

/** A log file as it was when opened: a rotated file with the same device, inode and size holds the same lines. */
export interface LogFile {
  name: string;
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  /** The live file (events.jsonl); the others are rotated and never change. */
  live: boolean;
}

/** Where a read begins: the index of the first file to read (oldest is 0), and a byte offset and line count within it. */
export interface ReadStart {
  file: number;
  offset: number;
  lines: number;
}

export interface StreamOptions {
  /** May return a promise (a stdout drain) that the read waits for between chunks: backpressure. */
  betweenChunks?: BetweenChunks;
  /** Told the files about to be read, before any is: where to begin (the default is the top of the oldest). */
  startAt?(files: readonly LogFile[]): ReadStart | undefined;
  /**
   * A file read to the end of its last complete line: the offset and line count a later read can
   * continue from, and the read's counts so far.
   */
  onFileRead?(file: LogFile, end: { offset: number; lines: number }, sofar: Readonly<EventLogSummary>): void;
  /** Bytes scanned so far of the bytes there are to scan. */
  onProgress?(bytesRead: number, bytesTotal: number, linesRead: number): void;
}

/** readEvents without holding the events: each goes to onEvent as it is read, oldest first. */
export function streamEvents(paths: HomePaths, query: EventQuery, onEvent: (logged: LoggedEvent) => void, options: StreamOptions = {}): Promise<EventLogSummary> {
  return visitEvents(paths, query, onEvent, false, options);
}

type BetweenChunks = () => Promise<unknown> | undefined;

async function visitEvents(paths: HomePaths, query: EventQuery, onEvent: (logged: LoggedEvent) => void, holdPerFile: boolean, options: StreamOptions = {}): Promise<EventLogSummary> {
  const summary: EventLogSummary = { linesRead: 0, linesSkipped: 0, skipReasons: {}, files: [] };
  // Open every file before reading any, so a rotation mid-read cannot move lines out from under us.
  const handles = await openLogFiles(paths.events);
  const index = query.since === null ? null : openRotatedLogIndex(paths);
  try {
    const files = await Promise.all(
      handles.map(async ({ path, handle }): Promise<LogFile> => {
        const st = await handle.stat();
        return { name: basename(path), dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, live: path === paths.events };
      }),
    );
    const start = options.startAt?.(files) ?? { file: 0, offset: 0, lines: 0 };
    const progress = { read: 0, total: files.slice(start.file).reduce((n, f) => n + f.size, 0) - start.offset, lines: 0 };
    for (let i = start.file; i < handles.length; i++) {
      const { path, handle } = handles[i]!;
      const file = files[i]!;
      // A rotated file that holds nothing as late as the window (by its latest line, not its last) is not read.
      if (index && query.since && !file.live) {
        const latest = await index.latestTime(await handle.stat(), () => latestTime(handle, file.size));
        if (latest !== null && latest < query.since.getTime() - reorderSlackMs) {
          progress.read += file.size;
          continue;
        }
      }
      const from = i === start.file ? { offset: start.offset, lines: start.lines } : { offset: 0, lines: 0 };
      const end = await readFile(path, handle, file.size, from, query, summary, onEvent, holdPerFile, options, progress);
      options.onFileRead?.(file, end, summary);
    }
  } finally {
    await Promise.all(handles.map(({ handle }) => handle.close()));
  }
  index?.save();
  return summary;
}

async function openLogFiles(livePath: string): Promise<{ path: string; handle: FileHandle }[]> {
  let names: string[];
  try {
    names = await readdir(dirname(livePath));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    if (code === 'ENOTDIR') throw new BrokerError(`the event log folder ${dirname(livePath)} is not a folder`, exitCodes.usage, 'point BROKER_HOME (or --home) at a folder, or move the file in the way aside');
    throw err;
  }
  const present = new Set(names);
  const live = basename(livePath);
  const rotated = names
    .map((name) => /^.*\.(\d+)\.jsonl$/.exec(name)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .filter((n) => n > 0 && present.has(basename(rotatedLogPath(livePath, n))))
    .sort((a, b) => b - a)
    .map((n) => rotatedLogPath(livePath, n));
  const ordered = present.has(live) ? [...rotated, livePath] : rotated;
  const opened: { path: string; handle: FileHandle }[] = [];
  try {
    for (const path of ordered) {
      const handle = await openLogForReading(path);
      if (handle) opened.push({ path, handle });
    }
  } catch (err) {
    await Promise.all(opened.map(({ handle }) => handle.close()));
    throw err;
  }
  return opened;
}

/** Reads one file from `from` (or from the seek by time when `from` is its top) to `size`; returns where its last complete line ends. */
async function readFile(
  path: string,
  handle: FileHandle,
  size: number,
  from: { offset: number; lines: number },
  query: EventQuery,
  result: EventLogSummary,
  onEvent: (logged: LoggedEvent) => void,
  holdPerFile: boolean,
  options: StreamOptions,
  progress: { read: number; total: number; lines: number },
): Promise<{ offset: number; lines: number }> {
  const sinceMs = query.since?.getTime() ?? null;
  const untilMs = query.until.getTime();
  // Reading on from an earlier read: the lines before `from` were read then.
  const resumed = from.offset > 0;
  let start = from.offset;
  if (sinceMs !== null && !resumed) start = await seekToTime(handle, size, sinceMs - reorderSlackMs);
  const file = basename(path);
  result.files.push(file);
  // The lines before the seek point are read anyway, for evidence's exact 1-based line numbers
  // (memchr speed, ≤ 64 MiB per file with the writer's rotation); the same pass finds a line stamped
  // inside the window there (a clock stepped back, logs merged), from which the read then starts.
  const survey: Promise<PrefixSurvey> = start === 0 || resumed || sinceMs === null ? Promise.resolve({ newlines: from.lines, firstInWindow: null }) : surveyPrefix(handle, start, { fromMs: sinceMs, untilMs });
  survey.catch(() => undefined);
  const needles = [query.match, query.conn === undefined ? undefined : JSON.stringify(query.conn)]
    .filter((n): n is string => n !== undefined && n !== '')
    .map((n) => Buffer.from(n, 'utf8'));
  const lineHandler = (base: number, sink: (logged: LoggedEvent) => void) => (line: ScannedLine): void => {
    progress.lines += 1;
    if (line.oversized) {
      skip(result, `longer than ${maxLineBytes / 1024 / 1024} MiB`);
      return;
    }
    if (isBlank(line.bytes, line.from, line.to)) return;
    for (const needle of needles) if (!line.contains(needle)) return;
    const parsed = parseEventLine(line.bytes.toString('utf8', line.from, line.to));
    if (!parsed.ok) {
      skip(result, parsed.reason);
      return;
    }
    if ((sinceMs !== null && parsed.ms < sinceMs) || parsed.ms > untilMs) return;
    if (query.conn !== undefined && parsed.event.conn !== query.conn) return;
    sink({ event: parsed.event, file, line: base + line.index + 1, t: parsed.ms });
  };
  const scan = (scanFrom: number, to: number, base: number, sink: (logged: LoggedEvent) => void) => {
    let scanned = scanFrom;
    const between = (): Promise<unknown> | undefined => {
      options.onProgress?.(progress.read + (scanned - scanFrom), progress.total, progress.lines);
      return options.betweenChunks?.();
    };
    return scanLines(handle, scanFrom, to, scanChunkBytes, lineHandler(base, sink), needles[0], between, (at) => (scanned = at));
  };
  progress.read += start - from.offset;

  if (!holdPerFile) {
    // Streaming, events go out in file order as they are read, so the survey comes first.
    const { newlines, firstInWindow } = await survey;
    const first = firstInWindow ?? { offset: start, newlinesBefore: newlines };
    const scanned = await scan(first.offset, size, first.newlinesBefore, onEvent);
    result.linesRead += scanned.lines;
    progress.read += size - start;
    // Where the last complete line ends: a line still being written is read again next time.
    return { offset: scanned.completeEnd, lines: first.newlinesBefore + scanned.completeLines };
  }
  // Collecting, the survey runs alongside the scan from the seek point; line numbers are fixed up after.
  const held: LoggedEvent[] = [];
  const scanned = await scan(start, size, 0, (logged) => held.push(logged));
  result.linesRead += scanned.lines;
  const { newlines, firstInWindow } = await survey;
  if (firstInWindow) result.linesRead += (await scan(firstInWindow.offset, start, firstInWindow.newlinesBefore, onEvent)).lines;
  for (const logged of held) {
    logged.line += newlines;
    onEvent(logged);
  }
  progress.read += size - start;
  return { offset: scanned.completeEnd, lines: newlines + scanned.completeLines };
}

interface ScannedLine {
  /** 0-based index of the line counted from where the scan started. */
  index: number;
  /** Byte offset of the line's first byte in the file. */
  offset: number;
  /** True when the line passed maxLineBytes: its bytes were dropped, from/to are empty. */
  oversized: boolean;
  bytes: Buffer;
  from: number;
  to: number;
  contains(needle: Buffer): boolean;
}

/**
 * Calls onLine for each line in [start, end) without holding more than one chunk plus one partial
 * line (≤ maxLineBytes), and returns how many lines there were. A line still open at `end` counts
 * too. onLine returning false stops. With a prefilter, lines without it are only counted: the
 * search runs over the whole chunk (memchr speed) and onLine sees just the lines holding a hit.
 */
interface Scanned {
  /** Lines seen, a last one without its newline included. */
  lines: number;
  /** Where the last complete (newline-terminated) line ends, and how many complete lines there were. */
  completeEnd: number;
  completeLines: number;
}

async function scanLines(
  handle: FileHandle,
  start: number,
  end: number,
  chunkBytes: number,
  onLine: (line: ScannedLine) => boolean | void,
  prefilter?: Buffer,
  betweenChunks?: BetweenChunks,
  onPosition?: (offset: number) => void,
): Promise<Scanned> {
  // Two buffers: the next chunk is read (in libuv's pool) while this one is being scanned.
  const buffers = [Buffer.allocUnsafe(chunkBytes), Buffer.allocUnsafe(chunkBytes)] as const;
  let turn = 0;
  const readNext = (at: number): Promise<{ bytesRead: number; buffer: Buffer }> | null =>
    at < end ? handle.read(buffers[turn++ % 2] as Buffer, 0, Math.min(chunkBytes, end - at), at) : null;
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let carryOffset = start;
  let oversized = false;
  let index = 0;
  let position = start;
  let chunk: Buffer = buffers[0].subarray(0, 0);
  let lineFrom = 0;
  let lineTo = 0;
  let joined: Buffer | null = null;
  const nextHit = new Map<Buffer, number>();
  const line: ScannedLine = {
    index: 0,
    offset: 0,
    oversized: false,
    bytes: chunk,
    from: 0,
    to: 0,
    contains(needle) {
      if (joined !== null) return joined.indexOf(needle) !== -1;
      let hit = nextHit.get(needle);
      if (hit === undefined || (hit !== -1 && hit < lineFrom)) {
        hit = chunk.indexOf(needle, lineFrom);
        nextHit.set(needle, hit);
      }
      return hit !== -1 && hit + needle.length <= lineTo;
    },
  };
  const emit = (offset: number, bytes: Buffer, from: number, to: number, tooLong: boolean): boolean => {
    line.index = index++;
    line.offset = offset;
    line.oversized = tooLong;
    line.bytes = bytes;
    line.from = from;
    line.to = to;
    return onLine(line) !== false;
  };
  let pending = readNext(position);
  while (pending !== null) {
    await betweenChunks?.();
    const { bytesRead, buffer } = await pending;
    if (bytesRead === 0) break;
    chunk = buffer.subarray(0, bytesRead);
    nextHit.clear();
    const chunkOffset = position;
    position += bytesRead;
    pending = readNext(position);
    let from = 0;
    while (from < bytesRead) {
      if (prefilter !== undefined && carryBytes === 0 && !oversized) {
        const hit = chunk.indexOf(prefilter, from);
        const stop = hit === -1 ? bytesRead : hit;
        for (let passed = chunk.indexOf(newline, from); passed !== -1 && passed < stop; passed = chunk.indexOf(newline, from)) {
          index++;
          from = passed + 1;
        }
        carryOffset = chunkOffset + from;
        if (from >= bytesRead) break;
      }
      const nl = chunk.indexOf(newline, from);
      if (nl === -1) {
        if (!oversized && carryBytes + (bytesRead - from) > maxLineBytes) {
          oversized = true;
          carry = [];
          carryBytes = 0;
        }
        if (!oversized) {
          if (carryBytes === 0) carryOffset = chunkOffset + from;
          carry.push(Buffer.from(chunk.subarray(from)));
          carryBytes += bytesRead - from;
        }
        break;
      }
      let keepGoing: boolean;
      if (oversized) {
        keepGoing = emit(carryOffset, chunk, 0, 0, true);
      } else if (carryBytes > 0) {
        if (carryBytes + (nl - from) > maxLineBytes) {
          keepGoing = emit(carryOffset, chunk, 0, 0, true);
        } else {
          joined = Buffer.concat([...carry, chunk.subarray(from, nl)]);
          lineFrom = 0;
          lineTo = joined.length;
          keepGoing = emit(carryOffset, joined, 0, joined.length, false);
          joined = null;
        }
      } else {
        lineFrom = from;
        lineTo = nl;
        keepGoing = emit(chunkOffset + from, chunk, from, nl, false);
      }
      carry = [];
      carryBytes = 0;
      oversized = false;
      if (!keepGoing) {
        await pending;
        return { lines: index, completeEnd: chunkOffset + nl + 1, completeLines: index };
      }
      from = nl + 1;
      carryOffset = chunkOffset + from;
    }
    onPosition?.(position);
  }
  const unterminated = oversized || carryBytes > 0;
  const complete = { completeEnd: unterminated ? carryOffset : position, completeLines: index };
  if (oversized) emit(carryOffset, chunk, 0, 0, true);
  else if (carryBytes > 0) {
    joined = Buffer.concat(carry);
    lineFrom = 0;
    lineTo = joined.length;
    emit(carryOffset, joined, 0, joined.length, false);
    joined = null;
  }
  return { lines: index, ...complete };
}

/**
 * The first line starting at or after `from` (and before `limit`) that carries an ISO ts: its
 * offset and time. Starting the scan one byte early makes the first "line" the tail of the line
 * that straddles `from` (or an empty line when `from` is a line start), which is then ignored.
 */
async function firstTimedLine(handle: FileHandle, size: number, from: number, limit: number): Promise<{ offset: number; ms: number } | null> {
  let found: { offset: number; ms: number } | null = null;
  const scanFrom = from === 0 ? 0 : from - 1;
  await scanLines(handle, scanFrom, size, probeChunkBytes, (line) => {
    if (line.offset >= limit) return false;
    if (line.offset < from || line.oversized) return true;
    const ms = lineTime(line);
    if (ms === null) return true;
    found = { offset: line.offset, ms };
    return false;
  });
  return found;
}

/**
 * A line start at or before the first line stamped ≥ target. The log is append-only, so ts grows
 * with the offset: each probe lands mid-file, moves to the next line start and reads its ts.
 */
async function seekToTime(handle: FileHandle, size: number, targetMs: number): Promise<number> {
  let lo = 0;
  let hi = size;
  while (hi - lo > seekStopBytes) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const probe = await firstTimedLine(handle, size, mid, hi);
    if (probe === null || probe.ms >= targetMs) hi = mid;
    else lo = probe.offset;
  }
  return lo;
}

function lineTime(line: ScannedLine): number | null {
  return timeOfLine(line.bytes.toString('utf8', line.from, line.to));
}

function skip(result: EventLogSummary, reason: string): void {
  result.linesSkipped++;
  result.skipReasons[reason] = (result.skipReasons[reason] ?? 0) + 1;
}

function isBlank(bytes: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const b = bytes[i];
    if (b !== 0x20 && b !== 0x09 && b !== 0x0d) return false;
  }
  return true;
}
