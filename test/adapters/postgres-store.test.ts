import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventPageSql } from '../../src/adapters/postgres-events.js';
import { fingerprint } from '../../src/core/fingerprint.js';
import { brokerStoreEnv, dumpDatabase, startPostgresCluster, type BrokerDatabase, type PostgresCluster } from '../support/postgres-cluster.js';
import { runBroker } from '../support/run-broker.js';
import { runMain } from '../support/run-main.js';
import { tempHome } from '../support/temp-home.js';

// BROKER_STORE=postgres against a real private cluster: the commands as they run on one host
// (in-process through main, or the built binary where processes matter), the schema, the sealed
// bundles, the failure modes, and moving a home in and out.

let cluster: PostgresCluster;
before(async () => {
  cluster = await startPostgresCluster();
});
after(() => cluster?.destroy());

const token = (label: string) => `${label}_${randomBytes(18).toString('base64url')}`;

async function freshStore(extra: Record<string, string> = {}): Promise<{ db: BrokerDatabase; env: Record<string, string> }> {
  const db = await cluster.createDatabase();
  return { db, env: { ...brokerStoreEnv(db), BROKER_HOME: tempHome('broker-pg-home-'), ...extra } };
}

async function connectWithToken(env: Record<string, string>, name: string, tokens: Record<string, unknown>): Promise<void> {
  const r = await runMain(['connect', name, '--provider', 'slack', '--token-stdin'], env, JSON.stringify(tokens));
  assert.equal(r.code, 0, r.stderr);
}

describe('BROKER_STORE=postgres on one host', () => {
  it('connect, token, status, log and doctor: everything in the database, the backend named, never the password', async () => {
    const { db, env } = await freshStore();
    const access = token('xoxb');
    const refresh = token('xoxe');
    await connectWithToken(env, 'chat', { access_token: access, refresh_token: refresh, expires_in: 3600 });

    const printed = await runMain(['token', 'chat'], env);
    assert.equal(printed.code, 0, printed.stderr);
    assert.equal(printed.stdout, `${access}\n`);

    const status = await runMain(['status', '--json'], env);
    assert.equal(status.code, 0, status.stderr);
    const doc = JSON.parse(status.stdout) as { store: { backend: string; reason: string; available: boolean }; connections: Array<{ name: string; accessTokenFp: string }> };
    assert.deepEqual({ backend: doc.store.backend, available: doc.store.available }, { backend: 'postgres', available: true });
    assert.equal(doc.store.reason, `BROKER_STORE=postgres: ${db.user}@127.0.0.1:${cluster.port}/${db.name} (AES-256-GCM, key from BROKER_PASSPHRASE)`);
    assert.deepEqual(doc.connections.map((c) => [c.name, c.accessTokenFp]), [['chat', fingerprint(access)]]);
    const text = await runMain(['status'], env);
    assert.match(text.stdout, new RegExp(`token store: postgres \\(BROKER_STORE=postgres: ${db.user}@127\\.0\\.0\\.1:${cluster.port}/${db.name}`));

    const log = await runMain(['log', '--json', '--since', '1h'], env);
    assert.equal(log.code, 0, log.stderr);
    type LogDoc = { events: Array<{ file: string; line: number; event: { event: string } }>; files: string[] };
    const read = JSON.parse(log.stdout) as LogDoc;
    assert.deepEqual(read.events.map((e) => e.event.event), ['login', 'token']);
    assert.ok(read.events.every((e) => e.file === 'events' && e.line > 0), 'events are cited by table and row id');
    assert.deepEqual(read.files, ['events'], 'read from the table');
    const matched = await runMain(['log', '--json', '--since', 'all', '--match', '"event":"token"'], env);
    assert.deepEqual((JSON.parse(matched.stdout) as LogDoc).events.map((e) => e.event.event), ['token'], '--match searches the line as it was written');

    const doctor = await runMain(['doctor', '--json'], env);
    assert.equal(doctor.code, 0, doctor.stderr);
    for (const run of [printed, status, text, log, doctor]) assert.ok(!`${run.stdout}${run.stderr}`.includes(db.password), 'the password was printed');

    // Rows hold sealed bundles and fingerprints, never a token.
    const dump = dumpDatabase(cluster, db);
    for (const secret of [access, refresh, env.BROKER_PASSPHRASE!]) {
      assert.ok(!dump.includes(secret) && !dump.includes(secret.slice(0, 8)), 'a secret (or its first 8 characters) is in pg_dump');
    }
    assert.ok(dump.includes(fingerprint(access)), 'the fingerprint is there');
  });

  it('a bundle moved to another connection\'s row does not open (its name is sealed with it)', async () => {
    const { db, env } = await freshStore();
    await connectWithToken(env, 'a', { access_token: token('a') });
    await connectWithToken(env, 'b', { access_token: token('b') });
    await cluster.admin(db.name, "UPDATE broker.token_bundles SET sealed = (SELECT sealed FROM broker.token_bundles WHERE conn = 'a') WHERE conn = 'b'");
    const r = await runMain(['token', 'b'], env);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /entry for "b" fails authentication/);
    const status = JSON.parse((await runMain(['status', '--json'], env)).stdout) as { store: { damaged: string[] } };
    assert.deepEqual(status.store.damaged, ['b']);
  });

  it('every host needs the store\'s key: a wrong passphrase is refused, a key file works where it made the store', async () => {
    const { env } = await freshStore();
    await connectWithToken(env, 'a', { access_token: token('a') });
    const wrong = await runMain(['token', 'a'], { ...env, BROKER_PASSPHRASE: 'not-the-one' });
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /BROKER_PASSPHRASE does not open the token bundles of/);

    const keyFile = join(tempHome('broker-key-'), 'store.key');
    writeFileSync(keyFile, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    const { env: keyed } = await freshStore({ BROKER_KEY_FILE: keyFile, BROKER_PASSPHRASE: '' });
    const access = token('k');
    await connectWithToken(keyed, 'k', { access_token: access });
    assert.equal((await runMain(['token', 'k'], keyed)).stdout, `${access}\n`);
    const otherKey = join(tempHome('broker-key-'), 'other.key');
    writeFileSync(otherKey, randomBytes(32).toString('hex'), { mode: 0o600 });
    const refused = await runMain(['token', 'k'], { ...keyed, BROKER_KEY_FILE: otherKey });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /the key in BROKER_KEY_FILE does not open/);
    const notAKey = join(tempHome('broker-key-'), 'short.key');
    writeFileSync(notAKey, 'short', { mode: 0o600 });
    assert.match((await runMain(['token', 'k'], { ...keyed, BROKER_KEY_FILE: notAKey })).stderr, /does not hold a 256-bit key/);
  });

  it('acknowledgements live in their own table and come back with the connection', async () => {
    const { db, env } = await freshStore();
    await connectWithToken(env, 'a', { access_token: token('a') });
    const until = new Date(Date.now() + 7 * 86_400_000).toISOString();
    await cluster.admin(db.name, "INSERT INTO broker.acknowledgements (conn, finding, until, by_operator) VALUES ('a', 'new-destination', $1, 'oncall@ops-1')", [until]);
    const status = JSON.parse((await runMain(['status', '--json'], env)).stdout) as { connections: Array<{ name: string }> };
    assert.deepEqual(status.connections.map((c) => c.name), ['a']);
    const rows = (await cluster.admin<{ doc: Record<string, unknown> }>(db.name, "SELECT doc FROM broker.connections WHERE name = 'a'")).rows;
    assert.ok(!('acknowledgements' in rows[0]!.doc) && !('generation' in rows[0]!.doc), 'one fact in one place: the row holds neither');
  });
});

describe('broker migrate', () => {
  it('ten hosts at once apply each file once; the first use of a fresh database does the same', async () => {
    const { db, env } = await freshStore();
    const runs = await Promise.all(Array.from({ length: 10 }, () => runBroker(['migrate'], { env })));
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    assert.equal(runs.filter((r) => /^applied 0001_init$/m.test(r.stdout)).length, 1, runs.map((r) => r.stdout).join(''));
    assert.ok(runs.every((r) => /broker schema at version 1/.test(r.stdout)));
    const versions = (await cluster.admin<{ version: number }>(db.name, 'SELECT version FROM broker.schema_migrations')).rows;
    assert.deepEqual(versions.map((v) => v.version), [1]);

    const { db: fresh, env: firstUse } = await freshStore();
    const starts = await Promise.all(Array.from({ length: 10 }, () => runBroker(['status', '--json'], { env: firstUse })));
    for (const r of starts) assert.equal(r.code, 0, r.stderr);
    assert.equal((await cluster.admin(fresh.name, 'SELECT * FROM broker.schema_migrations')).rowCount, 1);
    const again = await runMain(['migrate', '--json'], firstUse);
    assert.deepEqual(JSON.parse(again.stdout), { database: `${fresh.user}@127.0.0.1:${cluster.port}/${fresh.name}`, applied: [], version: 1 });
  });
});

describe('a --since window and a connection are read by their indexes', () => {
  it('EXPLAIN of the doctor\'s and the log\'s statements uses events_by_time and events_by_conn_time, never a scan of the table', async () => {
    const { db, env } = await freshStore();
    await runMain(['status'], env);
    await cluster.admin(
      db.name,
      `INSERT INTO broker.events (ts, event, conn, host, doc)
       SELECT now() - (i || ' seconds')::interval, 'token', 'c' || (i % 50), 'h' || (i % 3), json_build_object('ts', now() - (i || ' seconds')::interval, 'event', 'token', 'conn', 'c' || (i % 50), 'at_fp', 'x', 'generation', 1)
       FROM generate_series(1, 200000) AS i`,
    );
    await cluster.admin(db.name, 'ANALYZE broker.events');
    const until = new Date();
    const plans: Record<string, string> = {};
    const queries = {
      'doctor --since 24h': { since: new Date(until.getTime() - 86_400_000), until },
      'doctor --since 1h --conn c7': { since: new Date(until.getTime() - 3_600_000), until, conn: 'c7' },
      'log --since all --conn c7': { since: null, until, conn: 'c7' },
      'next page of --since 1h': { since: new Date(until.getTime() - 3_600_000), until },
    };
    for (const [what, query] of Object.entries(queries)) {
      const sql = eventPageSql(query, { limit: 2000, ...(what.startsWith('next') ? { after: { ts: new Date(until.getTime() - 1_800_000).toISOString(), id: '1' } } : {}) });
      const explained = await cluster.admin<{ 'QUERY PLAN': string }>(db.name, `EXPLAIN ${sql.text}`, sql.values);
      plans[what] = explained.rows.map((r) => r['QUERY PLAN']).join('\n');
      assert.doesNotMatch(plans[what], /Seq Scan/, `${what}:\n${plans[what]}`);
      assert.match(plans[what], /Index (Only )?Scan (using|on) events_by_(conn_)?time/, `${what}:\n${plans[what]}`);
    }
    assert.match(plans['doctor --since 1h --conn c7']!, /events_by_conn_time/);
    // And `broker log` reads the window through them: an hour of one connection's events, not 200,000 rows.
    const log = await runMain(['log', '--json', '--since', '1h', '--conn', 'c7'], env);
    assert.equal(log.code, 0, log.stderr);
    const read = JSON.parse(log.stdout) as { events: unknown[]; linesRead: number };
    assert.ok(read.events.length >= 70 && read.events.length <= 73, `${read.events.length} events`);
    assert.equal(read.linesRead, read.events.length, 'only the window\'s rows were read');
  });
});

describe('a database that cannot be used is said so, within the timeout', () => {
  const timeoutEnv = { BROKER_DATABASE_TIMEOUT_MS: '1500' };

  /** A server that accepts connections and never says a word: a database too busy to answer. */
  async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
    const sockets = new Set<Socket>();
    const server: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (typeof address !== 'object' || !address) throw new Error('no port');
    return {
      port: address.port,
      close: () =>
        new Promise((resolve) => {
          for (const s of sockets) s.destroy();
          server.close(() => resolve());
        }),
    };
  }

  async function expectUnavailable(env: Record<string, string>, problem: RegExp, password: string): Promise<void> {
    const started = performance.now();
    const t = await runBroker(['token', 'chat'], { env });
    const took = performance.now() - started;
    assert.equal(t.code, 1, t.stderr);
    assert.equal(t.stdout, '');
    assert.match(t.stderr, /^broker: the PostgreSQL store \S+ cannot be used \(reading connections\): /);
    assert.match(t.stderr, problem);
    assert.ok(took < 1500 + 2500, `broker token took ${Math.round(took)} ms`);

    const status = await runBroker(['status'], { env });
    assert.equal(status.code, 1, status.stderr);
    assert.match(status.stdout, /^token store: postgres \(BROKER_STORE=postgres: \S+ \(AES-256-GCM, key from BROKER_PASSPHRASE\)\)\nstore unavailable: the PostgreSQL store /);
    assert.doesNotMatch(status.stdout, /no connections yet/, "a store that cannot be read may hold connections");

    const doctorStarted = performance.now();
    const doctor = await runBroker(['doctor', '--json'], { env });
    assert.ok(performance.now() - doctorStarted < 1500 + 2500, 'the doctor waited once, not once per read');
    assert.equal(doctor.code, 1, doctor.stderr);
    const report = JSON.parse(doctor.stdout) as { store: { backend: string; available: boolean; problem: string }; findings: Array<{ id: string; summary: string }> };
    assert.deepEqual(report.findings.map((f) => f.id), ['store-unavailable']);
    assert.match(report.findings[0]!.summary, problem);
    for (const run of [t, status, doctor]) assert.ok(!`${run.stdout}${run.stderr}`.includes(password), 'the password was printed');
  }

  it('nothing listens there: connection refused, exit 1 at once, the doctor names store-unavailable', async () => {
    const closed = await silentServer();
    await closed.close();
    const password = 'not-printed-anywhere-1';
    await expectUnavailable({ ...timeoutEnv, BROKER_STORE: 'postgres', BROKER_PASSPHRASE: 'p', BROKER_HOME: tempHome(), BROKER_DATABASE_URL: `postgres://broker:${password}@127.0.0.1:${closed.port}/broker` }, /connection refused/, password);
  });

  it('a server that never answers: no answer within the timeout', async () => {
    const silent = await silentServer();
    try {
      const password = 'not-printed-anywhere-2';
      await expectUnavailable({ ...timeoutEnv, BROKER_STORE: 'postgres', BROKER_PASSPHRASE: 'p', BROKER_HOME: tempHome(), BROKER_DATABASE_URL: `postgres://broker:${password}@127.0.0.1:${silent.port}/broker` }, /no answer within 1\.5 s \(connecting\)/, password);
    } finally {
      await silent.close();
    }
  });

  it('a database whose statements wait (a table locked elsewhere): a statement got no answer within the timeout', async () => {
    const { db, env } = await freshStore(timeoutEnv);
    await connectWithToken(env, 'chat', { access_token: token('xoxb') });
    const { default: pg } = await import('pg');
    const blocker = new pg.Client({ host: cluster.host, port: cluster.port, user: cluster.adminUser, password: cluster.adminPassword, database: db.name });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE broker.connections IN ACCESS EXCLUSIVE MODE');
      await expectUnavailable(env, /a statement got no answer within 1\.5 s/, db.password);
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
    assert.equal((await runMain(['token', 'chat'], env)).code, 0, 'it works again once the lock is gone');
  });

  it('a wrong password is the database refusing the broker, named as such', async () => {
    const { db } = await freshStore();
    const env = { BROKER_STORE: 'postgres', BROKER_PASSPHRASE: 'p', BROKER_HOME: tempHome(), BROKER_DATABASE_URL: `postgres://${db.user}:wrong-password-here@127.0.0.1:${cluster.port}/${db.name}` };
    const r = await runMain(['token', 'chat'], env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /password authentication failed for user/);
    assert.ok(!r.stderr.includes('wrong-password-here'));
  });

  it('BROKER_STORE=postgres without a database or a key is bad usage (exit 2), naming the variables', async () => {
    const none = await runMain(['status'], { BROKER_STORE: 'postgres', BROKER_HOME: tempHome() });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /needs a database[\s\S]*BROKER_DATABASE_URL/);
    const { db, env } = await freshStore();
    await connectWithToken(env, 'chat', { access_token: token('xoxb') });
    const keyless = { BROKER_STORE: 'postgres', BROKER_HOME: tempHome(), BROKER_DATABASE_URL: db.url };
    const noKey = await runMain(['token', 'chat'], keyless);
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /needs the key[\s\S]*BROKER_KEY_FILE/);
    // What needs no key works without one: the schema, the log.
    assert.equal((await runMain(['migrate'], keyless)).code, 0);
    assert.equal((await runMain(['log', '--since', 'all'], keyless)).code, 0);
  });
});

describe('broker store copy', () => {
  it('moves a file home into PostgreSQL and back without a re-login, and never over a newer generation', async () => {
    const { db, env: pgEnv } = await freshStore();
    const home = tempHome('broker-copy-');
    // Both stores seal with BROKER_PASSPHRASE (PostgreSQL may use BROKER_KEY_FILE instead).
    const fileEnv = { BROKER_HOME: home, BROKER_STORE: 'file', BROKER_PASSPHRASE: pgEnv.BROKER_PASSPHRASE! };
    const access = token('xoxb');
    await connectWithToken(fileEnv, 'chat', { access_token: access, refresh_token: token('xoxe'), expires_in: 3600 });
    await connectWithToken(fileEnv, 'other', { access_token: token('xoxb') });
    const until = new Date(Date.now() + 86_400_000).toISOString();
    const { parseStateText } = await import('../../src/adapters/state-store.js');
    const { readFileSync, writeFileSync: write } = await import('node:fs');
    const state = parseStateText(readFileSync(join(home, 'state.json'), 'utf8'));
    state.connections.chat!.acknowledgements = [{ id: 'new-destination', until, by: 'oncall@ops-1' }];
    state.connections.chat!.generation = 4;
    write(join(home, 'state.json'), JSON.stringify(state));

    const copyEnv = { ...pgEnv, ...fileEnv, BROKER_STORE: 'file' };
    const copied = await runMain(['store', 'copy', '--to', 'postgres', '--json'], copyEnv);
    assert.equal(copied.code, 0, copied.stderr);
    assert.deepEqual((JSON.parse(copied.stdout) as { connections: Array<{ conn: string; result: string }> }).connections.map((c) => [c.conn, c.result]), [['chat', 'copied'], ['other', 'copied']]);

    const onPostgres = { ...pgEnv, BROKER_HOME: tempHome() };
    const printed = await runMain(['token', 'chat'], onPostgres);
    assert.equal(printed.stdout, `${access}\n`, `the same token, no login: ${printed.stderr}`);
    const status = JSON.parse((await runMain(['status', '--json'], onPostgres)).stdout) as { connections: Array<{ name: string; generation: number }> };
    assert.deepEqual(status.connections.map((c) => [c.name, c.generation]), [['chat', 4], ['other', 0]]);
    assert.equal((await cluster.admin(db.name, "SELECT 1 FROM broker.acknowledgements WHERE conn = 'chat' AND finding = 'new-destination'")).rowCount, 1);

    const again = await runMain(['store', 'copy', '--to', 'postgres'], copyEnv);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^chat: same: already in postgres at generation 4$/m);

    // A refresh on a PostgreSQL host since: the file home's copy is older and is refused.
    await cluster.admin(db.name, "UPDATE broker.connections SET generation = 5 WHERE name = 'chat'");
    const older = await runMain(['store', 'copy', '--to', 'postgres'], copyEnv);
    assert.equal(older.code, 1);
    assert.match(older.stdout, /^chat: refused: postgres holds generation 5, newer than this one's 4: left as it is$/m);
    assert.equal((await cluster.admin<{ generation: number }>(db.name, "SELECT generation FROM broker.connections WHERE name = 'chat'")).rows[0]!.generation, 5);

    // And out again, into a fresh home's file store.
    const outHome = tempHome('broker-copy-out-');
    const out = await runMain(['store', 'copy', '--to', 'file'], { ...pgEnv, BROKER_HOME: outHome, BROKER_PASSPHRASE: pgEnv.BROKER_PASSPHRASE! });
    assert.equal(out.code, 0, out.stderr);
    const backOnFile = { BROKER_HOME: outHome, BROKER_STORE: 'file', BROKER_PASSPHRASE: pgEnv.BROKER_PASSPHRASE! };
    assert.equal((await runMain(['token', 'chat'], backOnFile)).stdout, `${access}\n`);
    assert.equal((await runMain(['store', 'copy', '--to', 'file'], backOnFile)).code, 2, 'copying a store onto itself is bad usage');
  });
});
