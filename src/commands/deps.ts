import type { Readable, Writable } from 'node:stream';
import type { AppendEvent, EventLogWriterOptions } from '../adapters/event-log-writer.js';
import { homePaths, type HomePaths } from '../adapters/home.js';
import type { StateStore } from '../adapters/state-store.js';
import { openHomeStore, type Store, type StoreInput } from '../adapters/store.js';
import { chooseBackend, type TokenStore } from '../adapters/token-store.js';

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
  /** Where state, secrets and events live (the home, or PostgreSQL): main loads it before run and closes it after. */
  store: Store;
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

export function createDeps(input: DepsInput): Deps {
  const paths = homePaths(input.home);
  const store = chooseStore({
    paths,
    env: input.env,
    warn: (message) => input.io.stderr.write(`broker: warning: ${message}\n`),
    eventContext: input.eventContext,
    keepLogOpen: input.keepLogOpen,
  });
  return {
    io: input.io,
    env: input.env,
    now: input.now ?? (() => new Date()),
    mode: input.mode,
    paths,
    state: () => store.state(),
    tokens: () => store.tokens(),
    appendEvent: (event) => store.appendEvent(event),
    store,
  };
}

/**
 * The store BROKER_STORE names: the home (keychain or file) or PostgreSQL. The PostgreSQL code,
 * and `pg` with it, is imported only on that path, when the store is loaded.
 */
export function chooseStore(input: StoreInput): Store {
  if (chooseBackend(input.env).backend !== 'postgres') return openHomeStore(input);
  let opened: Store | undefined;
  const ready = (): Store => {
    if (!opened) throw new Error('the PostgreSQL store was used before main loaded it');
    return opened;
  };
  return {
    backend: 'postgres',
    state: () => ready().state(),
    tokens: () => ready().tokens(),
    appendEvent: (event) => ready().appendEvent(event),
    async load() {
      opened ??= (await import('../adapters/postgres-store.js')).openPostgresStore(input);
      await opened.load();
    },
    lockForRefresh: (conn) => ready().lockForRefresh(conn),
    get eventTable() {
      return ready().eventTable;
    },
    close: async () => opened?.close(),
  };
}

/** --json → json; an interactive terminal on both ends → the Ink TUI; anything else → plain text. */
export function decideMode(json: boolean, io: Io): OutputMode {
  if (json) return 'json';
  return io.stdout.isTTY && io.stdin.isTTY ? 'tty' : 'text';
}
