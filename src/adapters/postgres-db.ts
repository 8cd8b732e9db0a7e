import type { Client, QueryConfig } from 'pg';
import { BrokerError } from '../core/broker-error.js';
import { exitCodes } from '../core/exit-codes.js';
import type { PostgresConnection, PostgresTarget } from './postgres-target.js';
import { StoreUnavailableError } from './store.js';

// One connection to the shared database per process, used one unit of work at a time (a
// transaction is never interleaved with an event insert), made again after it was lost. `pg` is
// loaded here, on the postgres path only: `broker token` on the keychain never pays for it.

export type DbAddress = Pick<PostgresTarget, 'connection' | 'described' | 'timeoutMs'>;

export interface HeldDb {
  client: Client;
  /** The connection was lost: make a new one (the unit of work keeps its turn). */
  reconnect(): Promise<Client>;
  release(): void;
}

export interface Db {
  readonly address: DbAddress;
  /** Waits for its turn, connecting first when there is no live connection. */
  hold(): Promise<HeldDb>;
  exclusive<T>(work: (client: Client) => Promise<T>): Promise<T>;
  end(): Promise<void>;
}

const timestamptzOid = 1184;

export function openDb(address: DbAddress, applicationName: string): Db {
  let client: Client | null = null;
  let alive = false;
  let turn: Promise<void> = Promise.resolve();
  const connect = async (): Promise<Client> => {
    const made = await connectClient(address, applicationName);
    made.on('error', () => {
      // An idle connection the server closed (restart, pg_terminate_backend): the next unit reconnects.
      alive = false;
    });
    made.on('end', () => {
      alive = false;
    });
    client = made;
    alive = true;
    return made;
  };
  const drop = (): void => {
    const old = client;
    client = null;
    alive = false;
    old?.end().catch(() => undefined);
  };
  const hold = async (): Promise<HeldDb> => {
    let release!: () => void;
    const previous = turn;
    turn = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      const current = client !== null && alive ? client : (drop(), await connect());
      return {
        client: current,
        reconnect: async () => {
          drop();
          return connect();
        },
        release,
      };
    } catch (err) {
      release();
      throw err;
    }
  };
  return {
    address,
    hold,
    async exclusive(work) {
      const held = await hold();
      try {
        return await work(held.client);
      } catch (err) {
        if (isConnectionLost(err)) drop();
        throw err;
      } finally {
        held.release();
      }
    },
    async end() {
      await turn;
      const old = client;
      client = null;
      alive = false;
      if (old) await old.end().catch(() => undefined);
    },
  };
}

async function connectClient(address: DbAddress, applicationName: string): Promise<Client> {
  const pg = (await import('pg')).default;
  const timeout = address.timeoutMs;
  const client = new pg.Client({
    ...connectionConfig(address.connection),
    application_name: applicationName,
    connectionTimeoutMillis: timeout,
    // The server gives up on a statement first, so its error (with its reason) is what arrives;
    // the client's own limit covers a server that stopped answering altogether.
    statement_timeout: timeout,
    query_timeout: timeout + 1_000,
    keepAlive: true,
    // Times in UTC, set at start-up rather than by a statement: one round trip less per process.
    options: '-c TimeZone=UTC',
    // Times stay the server's text: a keyset read passes them back exactly, to the microsecond.
    types: { getTypeParser: (oid: number, format?: string) => (oid === timestamptzOid ? (value: string) => value : pg.types.getTypeParser(oid, format as 'text')) },
  });
  // A connection error before connect() settles is reported by connect(); this keeps it from being unhandled.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    client.end().catch(() => undefined);
    throw err;
  }
  return client;
}

function connectionConfig(connection: PostgresConnection): Record<string, unknown> {
  if ('connectionString' in connection) return { connectionString: connection.connectionString };
  return Object.fromEntries(Object.entries(connection).filter(([, v]) => v !== undefined));
}

/** A statement allowed longer than the connection's own limit (pg reads query_timeout per query; its types do not say so). */
export function longStatement(text: string, values: unknown[], timeoutMs: number): QueryConfig {
  const config: QueryConfig & { query_timeout: number } = { text, values, query_timeout: timeoutMs };
  return config;
}

interface PgError {
  code?: string;
  message?: string;
}

const lostMessages = /Connection terminated|connection error|not queryable|timeout expired|Query read timeout|ECONNRESET|EPIPE|socket hang up/i;
const networkCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ENOENT']);

/** The connection is gone (network, server restart, terminated backend, a server that stopped answering). */
export function isConnectionLost(err: unknown): boolean {
  const e = err as PgError;
  if (e.code !== undefined && (networkCodes.has(e.code) || e.code.startsWith('08') || e.code === '57P01' || e.code === '57P02' || e.code === '57P03')) return true;
  return typeof e.message === 'string' && lostMessages.test(e.message);
}

/** The database cannot be used at all: unreachable, too slow, refusing the broker's login, or missing. */
export function isUnavailable(err: unknown): boolean {
  const code = (err as PgError).code;
  return isConnectionLost(err) || code === '57014' || code === '53300' || code === '3D000' || (code !== undefined && code.startsWith('28'));
}

/** A driver error as one line a person can act on, naming the database but never its password. */
export function describeDbError(err: unknown, address: DbAddress): string {
  const e = err as PgError;
  const seconds = `${address.timeoutMs / 1000} s`;
  if (e.code === 'ECONNREFUSED') return 'nothing accepts connections there (connection refused)';
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return 'the host name does not resolve';
  if (e.code === 'ETIMEDOUT' || e.code === 'EHOSTUNREACH' || e.code === 'ENETUNREACH') return `the host cannot be reached (${e.code})`;
  if (/timeout expired/i.test(e.message ?? '')) return `no answer within ${seconds} (connecting)`;
  if (/Query read timeout/i.test(e.message ?? '') || e.code === '57014') return `a statement got no answer within ${seconds}`;
  if (e.code === '57P01' || e.code === '57P02' || e.code === '57P03') return `the server is shutting down or starting (${e.code})`;
  if (e.code === '53300') return 'the server has no connection slots left (too many connections)';
  const message = (e.message ?? String(err)).split('\n')[0]!;
  return redactPassword(`${message}${e.code && !message.includes(e.code) ? ` (${e.code})` : ''}`, address.connection);
}

/** A database failure as a BrokerError: StoreUnavailableError when the store cannot be used at all. */
export function databaseError(err: unknown, address: DbAddress, doing: string): BrokerError {
  if (err instanceof BrokerError) return err;
  const problem = describeDbError(err, address);
  if (isUnavailable(err)) {
    return new StoreUnavailableError(
      `the PostgreSQL store ${address.described} cannot be used (${doing}): ${problem}`,
      'check that the database is up and that BROKER_DATABASE_URL (or PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE) names it; `broker doctor` shows it as store-unavailable',
    );
  }
  return new BrokerError(`the PostgreSQL store ${address.described} failed (${doing}): ${problem}`, exitCodes.failed);
}

function redactPassword(text: string, connection: PostgresConnection): string {
  let password: string | undefined;
  if ('connectionString' in connection) {
    try {
      password = decodeURIComponent(new URL(connection.connectionString).password) || undefined;
    } catch {
      password = undefined;
    }
  } else {
    password = connection.password;
  }
  return password && password.length >= 4 ? text.split(password).join('[redacted password]') : text;
}
