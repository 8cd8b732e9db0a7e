import type { Readable, Writable } from 'node:stream';
import { createEventLogWriter, eventContextFromEnv, type AppendEvent, type EventLogWriterOptions } from '../adapters/event-log-writer.js';
import { homePaths, type HomePaths } from '../adapters/home.js';
import { openStateStore, type StateStore } from '../adapters/state-store.js';
import { openTokenStore, type TokenStore } from '../adapters/token-store.js';

export type OutputMode = 'json' | 'text' | 'tty';

export interface Io {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean };
}

/** What a command may use. Stores open lazily, so `--help` and bad usage touch nothing. */
export interface Deps {
  io: Io;
  env: Readonly<Record<string, string | undefined>>;
  now: () => Date;
  mode: OutputMode;
  paths: HomePaths;
  state(): StateStore;
  tokens(): TokenStore;
  appendEvent: AppendEvent;
}

export interface DepsInput {
  io: Io;
  env: Readonly<Record<string, string | undefined>>;
  home: string;
  mode: OutputMode;
  now?: () => Date;
  /** Ambient fields for every event; default from the environment (BROKER_AGENT, BROKER_TASK, CI). */
  eventContext?: EventLogWriterOptions['context'];
  /** A long-running process (serve) keeps the event log open instead of opening it per line. */
  keepLogOpen?: boolean;
}

const defaultLogMaxBytes = 64 * 1024 * 1024;

export function createDeps(input: DepsInput): Deps {
  const paths = homePaths(input.home);
  let state: StateStore | undefined;
  let tokens: TokenStore | undefined;
  let writer: AppendEvent | undefined;
  let logWarned = false;
  const openState = (): StateStore => (state ??= openStateStore(paths));
  return {
    io: input.io,
    env: input.env,
    now: input.now ?? (() => new Date()),
    mode: input.mode,
    paths,
    state: openState,
    tokens: () => (tokens ??= openTokenStore(paths, openState().homeId, input.env)),
    appendEvent: (event) => {
      openState();
      writer ??= createEventLogWriter(paths.events, {
        maxBytes: Number(input.env.BROKER_LOG_MAX_BYTES) || defaultLogMaxBytes,
        keep: 5,
        context: input.eventContext ?? eventContextFromEnv(input.env),
        keepOpen: input.keepLogOpen,
      });
      try {
        writer(event);
      } catch (err) {
        // The log is the record, not the work: a token already printed or a bundle already stored
        // stays done when the log cannot be written (a read-only home, a FIFO in its place). Said once.
        if (!logWarned) input.io.stderr.write(`broker: warning: events are not being logged: ${err instanceof Error ? err.message : String(err)}\n`);
        logWarned = true;
      }
    },
  };
}

/** --json → json; an interactive terminal on both ends → the Ink TUI; anything else → plain text. */
export function decideMode(json: boolean, io: Io): OutputMode {
  if (json) return 'json';
  return io.stdout.isTTY && io.stdin.isTTY ? 'tty' : 'text';
}
