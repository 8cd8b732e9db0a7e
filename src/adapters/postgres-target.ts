import { usageError } from '../core/broker-error.js';

// Which PostgreSQL database holds the shared store (§14), from the environment alone: the
// connection to open, and how to name it to a person (host and database, never the password).

type Env = Readonly<Record<string, string | undefined>>;

/** The fields handed to pg; the PG* names are libpq's, so a psql that works names the same database. */
export type PostgresConnection = { connectionString: string } | { host?: string; port?: number; user?: string; password?: string; database?: string };

export type StoreKeySource = { kind: 'passphrase'; passphrase: string } | { kind: 'key-file'; path: string };

export interface PostgresTarget {
  connection: PostgresConnection;
  /** user@host:port/database: what status, doctor and errors print. */
  described: string;
  /** How long connecting, or any one statement, may take before the command gives up (exit 1). */
  timeoutMs: number;
  key: StoreKeySource;
}

export const defaultDatabaseTimeoutMs = 5_000;

/** The variables a user sets; the usage error names them. */
export const databaseUrlEnv = 'BROKER_DATABASE_URL';
export const keyFileEnv = 'BROKER_KEY_FILE';
export const databaseTimeoutEnv = 'BROKER_DATABASE_TIMEOUT_MS';

/** Where the database is and how long to wait for it; no key needed (migrate, the description). */
export function postgresAddress(env: Env): Omit<PostgresTarget, 'key'> {
  const timeoutMs = timeoutOf(env[databaseTimeoutEnv]);
  const url = env[databaseUrlEnv];
  if (url) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      // The URL may hold the password: never quote it.
      throw usageError(`${databaseUrlEnv} is not a URL`, 'use postgres://USER:PASSWORD@HOST:5432/DATABASE');
    }
    if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
      throw usageError(`${databaseUrlEnv} must start with postgres:// or postgresql://`, 'use postgres://USER:PASSWORD@HOST:5432/DATABASE');
    }
    const host = parsed.hostname || parsed.searchParams.get('host') || 'localhost';
    const user = decodeURIComponent(parsed.username) || env.PGUSER;
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || user || '?';
    return { connection: { connectionString: url }, described: describe(user, host, parsed.port || '5432', database), timeoutMs };
  }
  if (!env.PGHOST && !env.PGDATABASE) {
    throw usageError('BROKER_STORE=postgres needs a database', `set ${databaseUrlEnv}=postgres://USER:PASSWORD@HOST:5432/DATABASE (or PGHOST, PGDATABASE, PGUSER, PGPASSWORD)`);
  }
  const port = env.PGPORT ? Number(env.PGPORT) : undefined;
  if (port !== undefined && (!Number.isInteger(port) || port <= 0 || port > 65_535)) throw usageError(`PGPORT=${env.PGPORT} is not a port`);
  const host = env.PGHOST ?? 'localhost';
  const connection = { host, port, user: env.PGUSER, password: env.PGPASSWORD, database: env.PGDATABASE };
  return { connection, described: describe(env.PGUSER, host, String(port ?? 5432), env.PGDATABASE ?? env.PGUSER ?? '?'), timeoutMs };
}

/** Where the key comes from, or undefined when neither variable is set (migrate and the log need none). */
export function storeKeySourceOf(env: Env): StoreKeySource | undefined {
  if (env[keyFileEnv]) return { kind: 'key-file', path: env[keyFileEnv] };
  if (env.BROKER_PASSPHRASE) return { kind: 'passphrase', passphrase: env.BROKER_PASSPHRASE };
  return undefined;
}

/** The key's source, demanded where a bundle is sealed or opened. */
export function storeKeySource(env: Env): StoreKeySource {
  const source = storeKeySourceOf(env);
  if (source) return source;
  throw usageError(
    'BROKER_STORE=postgres needs the key that seals the token bundles',
    `set ${keyFileEnv}=PATH (32 random bytes, base64 or hex: openssl rand -base64 32 > PATH) or BROKER_PASSPHRASE, the same on every host`,
  );
}

function describe(user: string | undefined, host: string, port: string, database: string): string {
  return `${user ? `${user}@` : ''}${host}:${port}/${database}`;
}

function timeoutOf(text: string | undefined): number {
  if (text === undefined || text === '') return defaultDatabaseTimeoutMs;
  const ms = Number(text);
  if (!Number.isFinite(ms) || ms < 100 || ms > 600_000) throw usageError(`${databaseTimeoutEnv}=${text} is not a timeout`, 'give milliseconds between 100 and 600000 (default 5000)');
  return ms;
}

/** Why this store is in use, as status and doctor print it. */
export function postgresReason(target: Pick<PostgresTarget, 'described'> & { key?: StoreKeySource }): string {
  const key = target.key === undefined ? '' : `, key from ${target.key.kind === 'key-file' ? keyFileEnv : 'BROKER_PASSPHRASE'}`;
  return `BROKER_STORE=postgres: ${target.described} (AES-256-GCM${key})`;
}
