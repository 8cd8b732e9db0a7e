import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Client, QueryResult } from 'pg';
import { BrokerError, noSuchConnection } from '../core/broker-error.js';
import { exitCodes } from '../core/exit-codes.js';
import type { StoreStatus } from '../core/findings.js';
import { describeSchemaIssue } from '../core/schema-issue.js';
import { AcknowledgementSchema, ConnectionSchema, StateSchema, connectionNameRule, isConnectionName, type Acknowledgement, type Agent, type Connection } from '../core/state-schema.js';
import { TokenBundleSchema, holdsAccessToken, parseStoredBundle, type TokenBundle } from '../core/token-bundle.js';
import { eventContextFromEnv, eventStamper } from './event-log-writer.js';
import { readBoundedRegularFile } from './regular-file.js';
import { databaseError, isConnectionLost, longStatement, openDb, type HeldDb } from './postgres-db.js';
import { insertEvents, insertOf, keepUnsent, openEventTable, sendUnsent, type EventInsert } from './postgres-events.js';
import { knownSchemaVersion, migrate, newerSchema } from './postgres-migrate.js';
import { keyFileEnv, postgresAddress, postgresReason, storeKeySource, storeKeySourceOf, type StoreKeySource } from './postgres-target.js';
import { refreshLockWaitMs, unsafeNoLockEnv } from './refresh-lock.js';
import { keyBytes, keyFromPassphrase, open as openSealed, packSealed, seal, unpackSealed } from './sealed-text.js';
import { alreadyExists, checkedConnection, renamed, type StateStore } from './state-store.js';
import { StoreUnavailableError, UnpersistedError, type RefreshSession, type Store, type StoreInput } from './store.js';
import type { TokenStore } from './token-store.js';

// BROKER_STORE=postgres (§14): connections, token bundles, acknowledgements and the event log of
// every host in one database. Commands read connections synchronously (StateStore.get), so load()
// reads them all once per process (and again whenever the doctor or status reads anew), and every
// read of a bundle brings its connection's row along in the same statement: what a command holds
// of one connection is never older than the bundle it holds.

const checkText = 'broker-store-v1';
const checkContext = 'store_key';
const bundleContext = (conn: string) => `token_bundles:${conn}`;
const refreshLockPrefix = 'broker.refresh:';
// A holder that stops answering while it holds the lock (not dead, only stuck) is cut off, and so
// its lock released, after this: longer than any token endpoint is waited for.
const stuckHolderSeconds = 60;

interface ConnectionRow {
  name: string;
  generation: number;
  doc: Record<string, unknown>;
  acks: unknown[];
}

interface Loaded {
  homeId: string;
  connections: Map<string, Connection>;
  agents: Record<string, Agent>;
  key: { salt: Buffer; check: Buffer } | null;
}

const connectionColumns = `c.name, c.generation, c.doc,
  coalesce((SELECT json_agg(json_build_object('id', a.finding, 'until', to_char(a.until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'by', a.by_operator) ORDER BY a.finding)
    FROM broker.acknowledgements a WHERE a.conn = c.name), '[]'::json) AS acks`;

export function openPostgresStore(input: StoreInput): Store {
  const { env, paths } = input;
  const target = postgresAddress(env);
  const reason = postgresReason({ ...target, key: storeKeySourceOf(env) });
  const db = openDb(target, `broker ${process.pid}`);
  let loaded: Loaded | null = null;
  let failure: { error: BrokerError; at: number } | null = null;
  let key: Buffer | null = null;

  // What was read last stays readable when a later reload fails (a long-running serve keeps its
  // snapshot); a process that never read the connections cannot act on any.
  const need = (): Loaded => {
    if (loaded) return loaded;
    if (failure) throw failure.error;
    throw new Error('the PostgreSQL store was read before it was loaded');
  };
  const fail = (err: unknown, doing: string): never => {
    throw databaseError(err, target, doing);
  };
  const remember = (connection: Connection): Connection => {
    loaded?.connections.set(connection.name, connection);
    return connection;
  };

  const load = async (): Promise<void> => {
    if (failure && Date.now() - failure.at < target.timeoutMs) return;
    try {
      let rows = await db.exclusive(readEverything);
      const known = knownSchemaVersion();
      if (rows === null || rows.version < known) {
        await migrate(db);
        rows = await db.exclusive(readEverything);
        if (rows === null) throw new BrokerError('the broker schema was applied but cannot be read', exitCodes.failed);
      }
      if (rows.version > known) throw newerSchema(rows.version, known);
      loaded = rows.loaded;
      failure = null;
      await db.exclusive((client) => sendUnsent(paths, client)).catch(() => undefined);
    } catch (err) {
      const error = err instanceof BrokerError ? err : databaseError(err, target, 'reading connections');
      // Misconfiguration (exit 2) is the user's to fix now; an unusable database is a finding.
      if (error.exitCode === exitCodes.usage) throw error;
      failure = { error: error instanceof StoreUnavailableError ? error : new StoreUnavailableError(error.message, error.hint), at: Date.now() };
    }
  };

  const readEverything = async (client: Client): Promise<{ version: number; loaded: Loaded } | null> => {
    let results: QueryResult[];
    try {
      results = allResults(
        await client.query(`SELECT max(version) AS version FROM broker.schema_migrations;
          SELECT home_id, document FROM broker.state_document;
          SELECT kdf_salt, key_check FROM broker.store_key;
          SELECT ${connectionColumns} FROM broker.connections c ORDER BY c.name`),
      );
    } catch (err) {
      // No schema yet (42P01 undefined table, 3F000 no such schema): the first process migrates.
      const code = (err as { code?: string }).code;
      if (code === '42P01' || code === '3F000') return null;
      throw err;
    }
    const [versionResult, documentResult, keyResult, connectionResult] = results;
    const version = Number(versionResult?.rows[0]?.version ?? 0);
    const document = documentResult?.rows[0] as { home_id: string; document: Record<string, unknown> } | undefined;
    if (!document) return null;
    const connections = new Map<string, Connection>();
    for (const row of (connectionResult?.rows ?? []) as ConnectionRow[]) connections.set(row.name, connectionOf(row));
    // The rest of the state, as state.json would hold it, passes the same schema (future top-level parts
    // included); each connection was checked on its own just above.
    const state = StateSchema.safeParse({ ...document.document, homeId: document.home_id, connections: {} });
    if (!state.success) throw corrupt(`broker.state_document does not match the schema: ${describeSchemaIssue(state.error)}`);
    const keyRow = keyResult?.rows[0] as { kdf_salt: Buffer; key_check: Buffer } | undefined;
    return { version, loaded: { homeId: document.home_id, connections, agents: state.data.agents ?? {}, key: keyRow ? { salt: keyRow.kdf_salt, check: keyRow.key_check } : null } };
  };

  // ---- the key that seals bundles: the same on every host, proven by the sealed check text.
  const storeKey = async (): Promise<Buffer> => {
    if (key) return key;
    const source = storeKeySource(env);
    const material = source.kind === 'key-file' ? readKeyFile(source.path) : null;
    const derive = (salt: Buffer): Buffer => material ?? keyFromPassphrase((source as Extract<StoreKeySource, { kind: 'passphrase' }>).passphrase, salt);
    let row = need().key;
    if (!row) {
      // The first host to store a secret makes the check; a host that loses that race adopts the winner's.
      const salt = randomBytes(16);
      const check = packSealed(seal(derive(salt), checkText, checkContext));
      const made = await db.exclusive((client) =>
        client.query<{ kdf_salt: Buffer; key_check: Buffer }>(
          'INSERT INTO broker.store_key (kdf_salt, key_check) VALUES ($1, $2) ON CONFLICT (singleton) DO NOTHING RETURNING kdf_salt, key_check',
          [salt, check],
        ),
      ).catch((err) => fail(err, 'storing the key check'));
      row = made.rows[0] ? { salt: made.rows[0].kdf_salt, check: made.rows[0].key_check } : await db.exclusive(async (client) => {
        const existing = (await client.query<{ kdf_salt: Buffer; key_check: Buffer }>('SELECT kdf_salt, key_check FROM broker.store_key')).rows[0]!;
        return { salt: existing.kdf_salt, check: existing.key_check };
      });
      need().key = row;
    }
    const derived = derive(row.salt);
    const sealed = unpackSealed(row.check);
    if (!sealed || openSealed(derived, sealed, checkContext) !== checkText) {
      throw new BrokerError(
        `${source.kind === 'key-file' ? `the key in ${keyFileEnv}` : 'BROKER_PASSPHRASE'} does not open the token bundles of ${target.described}`,
        exitCodes.usage,
        'every host must use the key (or passphrase) the store was created with',
      );
    }
    key = derived;
    return derived;
  };
  const openBundle = async (conn: string, sealedBytes: Buffer): Promise<TokenBundle> => {
    const k = await storeKey();
    const sealed = unpackSealed(sealedBytes);
    const text = sealed ? openSealed(k, sealed, bundleContext(conn)) : null;
    if (text === null) throw new BrokerError(`the postgres entry for "${conn}" fails authentication`, exitCodes.loginNeeded, `it was tampered with, moved or damaged; log in again: broker login ${conn}`);
    const parsed = parseStoredBundle(text);
    if (!parsed.ok) throw new BrokerError(`the postgres entry for "${conn}" is damaged (${parsed.reason})`, exitCodes.loginNeeded, `log in again to replace it: broker login ${conn}`);
    return parsed.bundle;
  };
  const sealBundle = async (conn: string, bundle: TokenBundle): Promise<Buffer> => {
    const parsed = TokenBundleSchema.safeParse(bundle);
    if (!parsed.success) throw new BrokerError(`the token bundle for "${conn}" was not stored: ${describeSchemaIssue(parsed.error)}`, exitCodes.failed);
    return packSealed(seal(await storeKey(), JSON.stringify(parsed.data), bundleContext(conn)));
  };

  /** The connection's row and its sealed bundle, in one statement (one snapshot of both). */
  const readPair = async (client: Client, conn: string): Promise<{ row: ConnectionRow | null; sealed: Buffer | null }> => {
    const result = await client.query<ConnectionRow & { sealed: Buffer | null; present: boolean }>(
      `SELECT c.name IS NOT NULL AS present, ${connectionColumns}, (SELECT b.sealed FROM broker.token_bundles b WHERE b.conn = w.wanted) AS sealed
       FROM (SELECT $1::text AS wanted) w LEFT JOIN broker.connections c ON c.name = w.wanted`,
      [conn],
    );
    const first = result.rows[0];
    return { row: first?.present ? first : null, sealed: first?.sealed ?? null };
  };
  /** The connection's row, locked until the transaction ends: every read-modify-write of it goes through here. */
  const lockRow = async (client: Client, conn: string): Promise<ConnectionRow | null> =>
    (await client.query<ConnectionRow>(`SELECT ${connectionColumns} FROM broker.connections c WHERE c.name = $1 FOR UPDATE`, [conn])).rows[0] ?? null;
  const readEntry = async (conn: string): Promise<TokenBundle | null> => {
    need();
    const { row, sealed } = await db.exclusive((client) => readPair(client, named(conn))).catch((err) => fail(err, `reading ${conn}`));
    if (row) remember(connectionOf(row));
    else loaded?.connections.delete(conn);
    return sealed === null ? null : openBundle(conn, sealed);
  };

  const writeConnection = async (client: Client, next: Connection, current: Connection | null): Promise<void> => {
    const { name, generation, acknowledgements, ...doc } = next;
    if (current === null) {
      await client.query('INSERT INTO broker.connections (name, generation, doc) VALUES ($1, $2, $3)', [name, generation, doc]);
    } else {
      await client.query('UPDATE broker.connections SET generation = $2, doc = $3, updated_at = now() WHERE name = $1', [name, generation, doc]);
    }
    if (JSON.stringify(acknowledgements) === JSON.stringify(current?.acknowledgements ?? [])) return;
    await client.query('DELETE FROM broker.acknowledgements WHERE conn = $1', [name]);
    if (acknowledgements.length > 0) {
      await client.query('INSERT INTO broker.acknowledgements (conn, finding, until, by_operator) SELECT $1, * FROM unnest($2::text[], $3::timestamptz[], $4::text[])', [
        name,
        acknowledgements.map((a) => a.id),
        acknowledgements.map((a) => a.until),
        acknowledgements.map((a) => a.by),
      ]);
    }
  };
  /** Read-modify-write of one row under its row lock. */
  const changeConnection = async (client: Client, name: string, change: (current: Connection) => Connection): Promise<Connection> => {
    const row = await lockRow(client, name);
    if (!row) throw noSuchConnection(name);
    const current = connectionOf(row);
    const next = checkedConnection(change(current));
    if (next.name !== name) throw renamed(name, next.name);
    await writeConnection(client, next, current);
    return next;
  };

  const state: StateStore = {
    get homeId() {
      return need().homeId;
    },
    existingHomeId: () => need().homeId,
    path: `${target.described} (broker.connections)`,
    list: () => [...need().connections.values()].sort((a, b) => a.name.localeCompare(b.name)),
    get: (name) => need().connections.get(name),
    update: async (name, change) => {
      need();
      return remember(await db.exclusive((client) => inTransaction(client, () => changeConnection(client, name, change))).catch((err) => fail(err, `updating ${name}`)));
    },
    add: async (connection) => {
      need();
      const checked = checkedConnection(connection);
      await db
        .exclusive((client) =>
          inTransaction(client, async () => {
            if (await lockRow(client, checked.name)) throw alreadyExists(checked.name);
            await writeConnection(client, checked, null);
          }),
        )
        .catch((err) => {
          // Another host added it between the check and the insert.
          if ((err as { code?: string }).code === '23505') throw alreadyExists(checked.name);
          return fail(err, `adding ${connection.name}`);
        });
      remember(checked);
    },
    agents: () => need().agents,
    updateAgents: async (change) => {
      need();
      const agents = await db
        .exclusive((client) =>
          inTransaction(client, async () => {
            const row = (await client.query<{ home_id: string; document: Record<string, unknown> }>('SELECT home_id, document FROM broker.state_document FOR UPDATE')).rows[0];
            if (!row) throw corrupt('broker.state_document has no row');
            const current = StateSchema.safeParse({ ...row.document, homeId: row.home_id, connections: {} });
            if (!current.success) throw corrupt(`broker.state_document does not match the schema: ${describeSchemaIssue(current.error)}`);
            // Checked as state.json would be before it is written: a bad agent is refused, not stored.
            const next = StateSchema.parse({ ...current.data, agents: change(current.data.agents ?? {}) });
            const { homeId: _homeId, connections: _connections, ...document } = next;
            await client.query('UPDATE broker.state_document SET document = $1', [document]);
            return next.agents ?? {};
          }),
        )
        .catch((err) => fail(err, 'updating agents'));
      if (loaded) loaded.agents = agents;
    },
    remove: async (name) => {
      need();
      const removed = await db.exclusive((client) => client.query('DELETE FROM broker.connections WHERE name = $1 RETURNING name', [name])).catch((err) => fail(err, `removing ${name}`));
      loaded?.connections.delete(name);
      return (removed.rowCount ?? 0) > 0;
    },
  };

  const tokens: TokenStore = {
    async status(): Promise<StoreStatus> {
      const unavailable = (problem: string): StoreStatus => ({ backend: 'postgres', reason, available: false, problem, damaged: [] });
      if (failure) return unavailable(describe(failure.error));
      try {
        need();
        await storeKey();
        const rows = (await db.exclusive((client) => client.query<{ conn: string; sealed: Buffer }>('SELECT conn, sealed FROM broker.token_bundles ORDER BY conn'))).rows;
        const damaged: string[] = [];
        for (const row of rows) {
          try {
            await openBundle(row.conn, row.sealed);
          } catch {
            damaged.push(row.conn);
          }
        }
        return { backend: 'postgres', reason, available: true, damaged };
      } catch (err) {
        return unavailable(describe(err instanceof BrokerError ? err : databaseError(err, target, 'reading token bundles')));
      }
    },
    async read(conn) {
      const entry = await readEntry(conn);
      return holdsAccessToken(entry) ? entry : null;
    },
    readEntry,
    async write(conn, bundle) {
      need();
      const sealed = await sealBundle(named(conn), bundle);
      await db
        .exclusive((client) => client.query('INSERT INTO broker.token_bundles (conn, sealed) VALUES ($1, $2) ON CONFLICT (conn) DO UPDATE SET sealed = EXCLUDED.sealed, updated_at = now()', [conn, sealed]))
        .catch((err) => fail(err, `storing the tokens of ${conn}`));
    },
    async delete(conn) {
      need();
      const removed = await db.exclusive((client) => client.query('DELETE FROM broker.token_bundles WHERE conn = $1 RETURNING conn', [named(conn)])).catch((err) => fail(err, `deleting the tokens of ${conn}`));
      return (removed.rowCount ?? 0) > 0;
    },
  };

  // ---- events: stamped when they happen, inserted in order in the background, kept in the home
  // when the database cannot take them.
  const stamp = eventStamper(input.eventContext ?? eventContextFromEnv(env));
  let queue: EventInsert[] = [];
  let sending: Promise<void> | null = null;
  let unsentWarned = false;
  const keep = (rows: EventInsert[], why: string): void => {
    try {
      keepUnsent(paths, rows);
      if (!unsentWarned) input.warn(`events could not reach the database (${why}); kept in ${paths.unsentEvents} until a broker on this host reaches it`);
    } catch (err) {
      if (!unsentWarned) input.warn(`events are not being logged: ${why}; and ${err instanceof Error ? err.message : String(err)}`);
    }
    unsentWarned = true;
  };
  const send = async (): Promise<void> => {
    // Never synchronously: the caller is still assigning `sending`.
    await Promise.resolve();
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      if (failure) {
        keep(batch, failure.error.message);
        continue;
      }
      try {
        await db.exclusive((client) => insertEvents(client, batch));
      } catch (err) {
        keep(batch, databaseError(err, target, 'writing events').message);
      }
    }
  };
  const kick = (): void => {
    sending ??= send().finally(() => {
      sending = null;
      // Appended while the last batch was being written.
      if (queue.length > 0) kick();
    });
  };

  const lockForRefresh = async (conn: string): Promise<RefreshSession> => {
    need();
    const unlocked = env[unsafeNoLockEnv] === '1';
    const started = performance.now();
    let held: HeldDb;
    try {
      held = await db.hold();
    } catch (err) {
      return fail(err, `locking ${conn} for a refresh`);
    }
    let inLockTransaction = false;
    try {
      if (!unlocked) {
        // The lock is the connection's own session: it is released when the transaction ends, and
        // by the server when this process dies or its connection is lost.
        await held.client.query(
          `BEGIN; SET LOCAL lock_timeout = ${refreshLockWaitMs}; SET LOCAL statement_timeout = ${refreshLockWaitMs + target.timeoutMs}; SET LOCAL idle_in_transaction_session_timeout = ${stuckHolderSeconds * 1000}`,
        );
        inLockTransaction = true;
        await held.client.query(longStatement('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [refreshLockPrefix + conn], refreshLockWaitMs + 2 * target.timeoutMs));
        await held.client.query(`SET LOCAL statement_timeout = ${target.timeoutMs}`);
      }
    } catch (err) {
      if (inLockTransaction) await held.client.query('ROLLBACK').catch(() => undefined);
      if (isConnectionLost(err)) await held.reconnect().catch(() => undefined);
      held.release();
      if ((err as { code?: string }).code === '55P03') {
        throw new BrokerError(
          `the refresh lock of "${conn}" was held by another process for over ${refreshLockWaitMs / 1000} s (a PostgreSQL advisory lock in ${target.described})`,
          exitCodes.failed,
          `a refresh is slow or stuck elsewhere: see pg_locks / pg_stat_activity (application_name "broker <pid>"), or run \`broker doctor --conn ${conn}\``,
        );
      }
      return fail(err, `locking ${conn} for a refresh`);
    }
    const waitedMs = Math.round(performance.now() - started);
    let seen: { generation: number; sealed: Buffer | null } | null = null;
    let client = held.client;
    let connectionLost = false;
    const run = async <T>(doing: string, work: (c: Client) => Promise<T>): Promise<T> => {
      try {
        return await work(client);
      } catch (err) {
        if (err instanceof BrokerError) throw err;
        if (isConnectionLost(err)) connectionLost = true;
        return fail(err, doing);
      }
    };
    /** Compare-and-set: the row still has the generation and the bundle this session read, or nothing is written. */
    const compareAndSet = async (c: Client, sealed: Buffer, change: (current: Connection) => Connection): Promise<Connection> => {
      const row = await lockRow(c, conn);
      if (!row) throw new UnpersistedError(conn, 'the connection was removed meanwhile');
      // The bundle row too: a login storing its tokens meanwhile is either seen here or waits for this commit.
      const stored = (await c.query<{ sealed: Buffer }>('SELECT sealed FROM broker.token_bundles WHERE conn = $1 FOR UPDATE', [conn])).rows[0]?.sealed ?? null;
      if (seen === null) throw new Error('commit before read');
      if (row.generation !== seen.generation || !sameBytes(stored, seen.sealed)) {
        throw new UnpersistedError(conn, `a newer bundle is stored (generation ${row.generation}, this refresh started from ${seen.generation}); it was kept`);
      }
      const current = connectionOf(row);
      const next = checkedConnection(change(current));
      await c.query('INSERT INTO broker.token_bundles (conn, sealed) VALUES ($1, $2) ON CONFLICT (conn) DO UPDATE SET sealed = EXCLUDED.sealed, updated_at = now()', [conn, sealed]);
      await writeConnection(c, next, current);
      return next;
    };
    return {
      waitedMs,
      locked: !unlocked,
      async read() {
        const { row, sealed } = await run(`reading ${conn}`, (c) => readPair(c, conn));
        seen = { generation: row?.generation ?? 0, sealed };
        const connection = row ? remember(connectionOf(row)) : undefined;
        const entry = sealed === null ? null : await openBundle(conn, sealed);
        return { connection, bundle: holdsAccessToken(entry) ? entry : null, entry };
      },
      async commit(bundle, change) {
        const sealed = await sealBundle(conn, bundle);
        const attempt = async (c: Client, withinLock: boolean): Promise<Connection> => {
          if (!withinLock) return inTransaction(c, () => compareAndSet(c, sealed, change));
          const next = await compareAndSet(c, sealed, change);
          await c.query('COMMIT');
          inLockTransaction = false;
          return next;
        };
        try {
          return remember(await attempt(client, inLockTransaction));
        } catch (err) {
          if (err instanceof BrokerError) throw err;
          if (!isConnectionLost(err)) throw new UnpersistedError(conn, databaseError(err, target, 'storing the new bundle').message);
        }
        // The connection (and with it the lock) was lost while the provider answered. A new one
        // may still store the bundle, but only over the very bundle this refresh started from.
        inLockTransaction = false;
        connectionLost = true;
        try {
          client = await held.reconnect();
          connectionLost = false;
          return remember(await attempt(client, false));
        } catch (err) {
          if (err instanceof BrokerError) throw err;
          throw new UnpersistedError(conn, `the database connection was lost and could not be made again: ${databaseError(err, target, 'storing the new bundle').message}`);
        }
      },
      async update(change) {
        if (connectionLost) {
          client = await held.reconnect().catch((err) => fail(err, `updating ${conn}`));
          connectionLost = false;
        }
        const work = (c: Client) => (inLockTransaction ? changeConnection(c, conn, change) : inTransaction(c, () => changeConnection(c, conn, change)));
        return remember(await run(`updating ${conn}`, work));
      },
      async release() {
        try {
          if (inLockTransaction && !connectionLost) await client.query('COMMIT');
        } catch (err) {
          if (isConnectionLost(err)) await held.reconnect().catch(() => undefined);
        } finally {
          inLockTransaction = false;
          held.release();
        }
      },
    };
  };

  return {
    backend: 'postgres',
    state: () => state,
    tokens: () => tokens,
    appendEvent: (event) => {
      queue.push(insertOf(stamp(event)));
      kick();
    },
    load,
    lockForRefresh,
    eventTable: openEventTable(async () => {
      need();
      return db;
    }),
    async close() {
      while (sending) await sending;
      await db.end();
    },
  };
}

/** A row of broker.connections back into the Connection state.json would hold. */
function connectionOf(row: ConnectionRow): Connection {
  const acknowledgements = (row.acks ?? []).map((a) => AcknowledgementSchema.parse(a)) satisfies Acknowledgement[];
  const parsed = ConnectionSchema.safeParse({ ...row.doc, name: row.name, generation: row.generation, acknowledgements });
  if (!parsed.success) throw corrupt(`the row of "${row.name}" in broker.connections does not match the schema: ${describeSchemaIssue(parsed.error)}`);
  return parsed.data;
}

function corrupt(message: string): BrokerError {
  return new BrokerError(message, exitCodes.usage, 'it was left exactly as it is; repair the row by hand (psql) or remove the connection and create it again');
}

function named(conn: string): string {
  if (!isConnectionName(conn)) throw new BrokerError(`"${conn}" is not a connection name`, exitCodes.usage, `a connection name is ${connectionNameRule}`);
  return conn;
}

function allResults(result: QueryResult | QueryResult[]): QueryResult[] {
  return Array.isArray(result) ? result : [result];
}

async function inTransaction<T>(client: Client, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}

function describe(err: BrokerError): string {
  return err.hint ? `${err.message}; ${err.hint}` : err.message;
}

/** BROKER_KEY_FILE: 32 random bytes as base64 or hex text (openssl rand -base64 32), read as a bounded regular file. */
function readKeyFile(path: string): Buffer {
  const text = readBoundedRegularFile(path, { what: `the store key file (${keyFileEnv})`, maxBytes: 1024, exitCode: exitCodes.usage }).toString('utf8').trim();
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : /^[A-Za-z0-9+/]{43}=$/.test(text) ? Buffer.from(text, 'base64') : null;
  if (key?.length !== keyBytes) throw new BrokerError(`the store key file ${path} does not hold a 256-bit key`, exitCodes.usage, `write one with: openssl rand -base64 32 > ${path}`);
  return key;
}
