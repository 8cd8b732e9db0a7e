import { closeSync, fstatSync, openSync, renameSync, rmSync, statSync, unlinkSync, writeSync, constants } from 'node:fs';
import { openLogForAppend } from './event-log-file.js';
import { hostname } from 'node:os';
import type { NewEvent } from '../core/events.js';
import { ciSystemOf } from '../core/personal-in-ci.js';
import { rotatedLogPath } from '../core/log-files.js';

export interface EventLogWriterOptions {
  /** Rotate when the live file passes this size. */
  maxBytes: number;
  /** How many rotated files to keep (events.1.jsonl is the newest). */
  keep: number;
  /** Ambient fields for every event: agent, task, ci. */
  context: { agent?: string; task?: string; ci?: boolean };
  /**
   * For a long-running process (serve): keep the file open and look at it again (size for rotation,
   * inode for another process's rotation) at most every 100 ms, instead of open/fstat/close per line.
   * Lines written in that moment after someone else rotated land in events.1.jsonl, which is still the log.
   */
  keepOpen?: boolean;
}

export type AppendEvent = (event: NewEvent) => void;

export function eventContextFromEnv(env: Readonly<Record<string, string | undefined>>): EventLogWriterOptions['context'] {
  return {
    agent: env.BROKER_AGENT || undefined,
    task: env.BROKER_TASK || undefined,
    ci: ciSystemOf(env) !== undefined,
  };
}

/**
 * One write(2) per complete line on an O_APPEND descriptor: the kernel appends each write
 * atomically, so concurrent processes never interleave their lines.
 */
export function createEventLogWriter(path: string, options: EventLogWriterOptions): AppendEvent {
  const stamp = eventStamper(options.context);
  const lineOf = (event: NewEvent): Buffer => Buffer.from(`${JSON.stringify(stamp(event))}\n`, 'utf8');
  if (options.keepOpen) return keptOpenWriter(path, options, lineOf);
  return (event) => {
    const line = lineOf(event);
    const fd = openLogForAppend(path);
    try {
      writeSync(fd, line);
      if (fstatSync(fd).size > options.maxBytes) rotateOnce(path, options.maxBytes, options.keep);
    } finally {
      closeSync(fd);
    }
  };
}

/** An event as every writer records it (a file line or a database row): ts first, then its fields, then who wrote it. */
export type StampedEvent = NewEvent & { ts: string; pid: number; host: string };

/**
 * Stamps ts when the event happens (not when it reaches the log), and pid, host and the ambient
 * agent/task/ci after the event's own fields.
 */
export function eventStamper(context: EventLogWriterOptions['context']): (event: NewEvent) => StampedEvent {
  const host = hostname();
  const ambient = withoutUndefined(context);
  return (event) => ({ ts: new Date().toISOString(), ...event, pid: process.pid, host, ...ambient }) as StampedEvent;
}

const recheckMs = 100;

function keptOpenWriter(path: string, options: EventLogWriterOptions, lineOf: (event: NewEvent) => Buffer): AppendEvent {
  let fd: number | undefined;
  let inode = 0;
  let checkedAt = 0;
  const open = (): number => {
    fd = openLogForAppend(path);
    inode = fstatSync(fd).ino;
    return fd;
  };
  const reopen = (): void => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
  };
  return (event) => {
    const line = lineOf(event);
    const now = Date.now();
    if (fd !== undefined && now - checkedAt >= recheckMs) {
      checkedAt = now;
      // Another process rotated (or removed) the live file: follow the path to the new one.
      if (statSync(path, { throwIfNoEntry: false })?.ino !== inode) reopen();
    }
    writeSync(fd ?? open(), line);
    if (now === checkedAt && fstatSync(fd!).size > options.maxBytes) {
      rotateOnce(path, options.maxBytes, options.keep);
      reopen();
    }
  };
}

/**
 * Two processes rotating at once can rename a fresh live file over the other's events.1.jsonl and
 * lose its lines (seen: 8 writers lost 55 of 8,000 lines), so one rotator at a time, holding an
 * O_EXCL lock file; the others skip, and the winner re-checks the live file's size by path.
 */
function rotateOnce(path: string, maxBytes: number, keep: number): void {
  const lock = `${path}.rotating`;
  let lockFd: number;
  try {
    lockFd = openSync(lock, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // A rotator that died holding the lock: a rotation takes milliseconds, so 10 s means stale.
    if (Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 10_000) rmSync(lock, { force: true });
    return;
  }
  try {
    if ((statSync(path, { throwIfNoEntry: false })?.size ?? 0) > maxBytes) rotate(path, keep);
  } finally {
    closeSync(lockFd);
    unlinkSync(lock);
  }
}

/** Renames events.jsonl → events.1.jsonl → … A lost rename race only means another process rotated first. */
function rotate(path: string, keep: number): void {
  try {
    for (let n = keep - 1; n >= 1; n--) renameQuietly(rotatedLogPath(path, n), rotatedLogPath(path, n + 1));
    renameSync(path, rotatedLogPath(path, 1));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function renameQuietly(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== false)) as Partial<T>;
}
