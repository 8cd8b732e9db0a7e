import { BrokerError } from '../core/broker-error.js';
import type { LoggedEvent } from '../core/events.js';
import { exitCodes } from '../core/exit-codes.js';
import type { StoreStatus } from '../core/findings.js';
import type { Connection } from '../core/state-schema.js';
import { holdsAccessToken, type HeldTokenBundle, type TokenBundle } from '../core/token-bundle.js';
import type { EventLogSummary, EventQuery } from './event-log-reader.js';
import { createEventLogWriter, eventContextFromEnv, type AppendEvent, type EventLogWriterOptions } from './event-log-writer.js';
import { ensureHomeDirs, type HomePaths } from './home.js';
import { acquireRefreshLock } from './refresh-lock.js';
import { openStateStore, type StateStore } from './state-store.js';
import { chooseBackend, openTokenStore, type TokenStore } from './token-store.js';

// Where a home's connections, secrets and events live (docs/design.md §3, §14): the home folder
// (state.json, the keychain or secrets.enc, logs/events.jsonl, locks/) on one machine, or one
// PostgreSQL database that every host with the same URL shares. Commands see the same three
// interfaces either way: StateStore, TokenStore and AppendEvent.

type Env = Readonly<Record<string, string | undefined>>;

export interface Store {
  readonly backend: StoreStatus['backend'];
  state(): StateStore;
  tokens(): TokenStore;
  appendEvent: AppendEvent;
  /**
   * Makes state() current. The home reads its files on every access, so this does nothing; the
   * database is connected on the first call (its schema applied on first use) and its connections
   * read again on every call. Never throws for a database that cannot be reached: state() then
   * throws StoreUnavailableError and tokens().status() says why, within the timeout.
   */
  load(): Promise<void>;
  /** The connection's refresh lock (§7), with the reads and writes that belong under it. */
  lockForRefresh(conn: string): Promise<RefreshSession>;
  /** The shared event table (postgres); undefined: the home's log files. */
  readonly eventTable?: EventTable;
  /** Waits for events still being written, then lets go of the database. */
  close(): Promise<void>;
}

/**
 * Held while one process refreshes one connection. Everything the refresh reads or writes goes
 * through it, so what it reads is what the lock protects, and what it stores is compared with what it read.
 */
export interface RefreshSession {
  /** How long this process waited for the lock. */
  readonly waitedMs: number;
  /** Whether the lock was really taken (false only with the test-only switch). */
  readonly locked: boolean;
  /** The connection and its tokens as they are now (entry: the whole stored entry, tokens or not). */
  read(): Promise<{ connection: Connection | undefined; bundle: HeldTokenBundle | null; entry: TokenBundle | null }>;
  /**
   * Stores a refresh's result: the whole bundle, then the connection's new metadata (`change` is
   * given the connection as stored now). Throws UnpersistedError when the bundle could not be
   * stored: the store failed, or it no longer holds the bundle this session read (a newer
   * generation is there): a newer bundle is never overwritten.
   */
  commit(bundle: HeldTokenBundle, change: (current: Connection) => Connection): Promise<Connection>;
  /** A change that is not a new bundle (lastError after a refused refresh). */
  update(change: (current: Connection) => Connection): Promise<Connection>;
  release(): Promise<void>;
}

/** The provider issued tokens that could not be stored: the refresh token it rotated is lost. */
export class UnpersistedError extends BrokerError {
  constructor(
    readonly conn: string,
    readonly reason: string,
  ) {
    super(
      `the provider issued new tokens for "${conn}" but they could not be stored: ${reason}`,
      exitCodes.failed,
      `the stored refresh token is the one just used; where the provider rotates refresh tokens the next refresh fails: run \`broker doctor --conn ${conn}\`, and \`broker login ${conn}\` if it says so`,
    );
    this.name = 'UnpersistedError';
  }
}

/** The store itself cannot be used (the database is down, too slow, or refuses the broker): state cannot be read. */
export class StoreUnavailableError extends BrokerError {
  constructor(message: string, hint?: string) {
    super(message, exitCodes.failed, hint);
    this.name = 'StoreUnavailableError';
  }
}

export interface EventTableRead extends EventLogSummary {
  /** The highest row id read: a later read continues after it. */
  lastId: number;
}

export interface EventTableReadOptions {
  /** Only rows appended after this id (the doctor's `R` and the re-check after a fix). */
  afterId?: number;
  /** Rows read so far (the table's total is not counted first: that would be a scan). */
  onProgress?(rowsRead: number): void;
  /** May return a promise (a stdout drain) that the read waits for between pages. */
  betweenPages?: () => Promise<unknown> | undefined;
}

/** The event log of every host as one table: each row is parsed as a log line; line numbers are row ids. */
export interface EventTable {
  /** The name evidence cites as its file. */
  readonly name: string;
  stream(query: EventQuery, onEvent: (logged: LoggedEvent) => void, options?: EventTableReadOptions): Promise<EventTableRead>;
}

export interface StoreInput {
  paths: HomePaths;
  env: Env;
  /** Warnings for stderr (an event that could not be logged). */
  warn(message: string): void;
  /** Ambient fields for every event; default from the environment (BROKER_AGENT, BROKER_TASK, CI). */
  eventContext?: EventLogWriterOptions['context'];
  /** A long-running process (serve) keeps the event log open instead of opening it per line. */
  keepLogOpen?: boolean;
}

const defaultLogMaxBytes = 64 * 1024 * 1024;

/** The home folder on this machine: state.json, the keychain or the file store, events.jsonl, file locks. */
export function openHomeStore(input: StoreInput): Store {
  const { paths, env } = input;
  let state: StateStore | undefined;
  let tokens: TokenStore | undefined;
  let writer: AppendEvent | undefined;
  let logWarned = false;
  const openState = (): StateStore => (state ??= openStateStore(paths));
  const openTokens = (): TokenStore => (tokens ??= openTokenStore(paths, openState(), env));
  return {
    backend: chooseBackend(env).backend,
    state: openState,
    tokens: openTokens,
    appendEvent: (event) => {
      if (!writer) ensureHomeDirs(paths);
      writer ??= createEventLogWriter(paths.events, {
        maxBytes: Number(env.BROKER_LOG_MAX_BYTES) || defaultLogMaxBytes,
        keep: 5,
        context: input.eventContext ?? eventContextFromEnv(env),
        keepOpen: input.keepLogOpen,
      });
      try {
        writer(event);
      } catch (err) {
        // The log is the record, not the work: a token already printed or a bundle already stored
        // stays done when the log cannot be written (a read-only home, a FIFO in its place). Said once.
        if (!logWarned) input.warn(`events are not being logged: ${err instanceof Error ? err.message : String(err)}`);
        logWarned = true;
      }
    },
    load: async () => {},
    async lockForRefresh(conn) {
      const lock = await acquireRefreshLock(paths, conn, env);
      const store = openState();
      return {
        waitedMs: lock.waitedMs,
        locked: lock.locked,
        async read() {
          const entry = await openTokens().readEntry(conn);
          return { connection: store.get(conn), bundle: holdsAccessToken(entry) ? entry : null, entry };
        },
        async commit(bundle, change) {
          // The whole bundle first, then state.json: a rotated refresh token is never lost between two writes.
          try {
            await openTokens().write(conn, bundle);
          } catch (err) {
            throw new UnpersistedError(conn, err instanceof Error ? err.message : String(err));
          }
          return store.update(conn, change);
        },
        update: (change) => store.update(conn, change),
        release: () => lock.release(),
      };
    },
    close: async () => {},
  };
}
