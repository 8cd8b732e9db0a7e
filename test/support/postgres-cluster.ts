import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

// A private PostgreSQL cluster for one test file or benchmark (DESIGN §10, §14): initdb on a
// temporary folder, a free port on 127.0.0.1, password (SCRAM) authentication so the broker's
// "never the password" is tested for real, and fsync off (a test's data need not survive a power
// cut). As root the server runs as the postgres user (it refuses root), via runuser. Each file
// starts its own and stops it in `after`; a run killed early leaves a folder whose owner pid is
// dead, and the next start removes it.

export interface PostgresCluster {
  host: string;
  port: number;
  /** The superuser the tests use to make databases and look inside them. */
  adminUser: string;
  adminPassword: string;
  /** A fresh, empty database owned by a fresh login role of its own: what a broker is pointed at. */
  createDatabase(prefix?: string): Promise<BrokerDatabase>;
  /** Stops the server (fast: open connections are cut) and starts it again, or just stops it. */
  stop(): void;
  start(): void;
  /** Stops the server for good and removes its folder. */
  destroy(): void;
  /** A query as the superuser in a database. */
  admin<T extends pg.QueryResultRow = pg.QueryResultRow>(database: string, text: string, values?: unknown[]): Promise<pg.QueryResult<T>>;
  pgBin(name: string): string;
}

export interface BrokerDatabase {
  name: string;
  user: string;
  password: string;
  /** postgres://user:password@127.0.0.1:port/name */
  url: string;
}

const binDir = findBinDir();
const markerFile = 'owner.pid';

function findBinDir(): string {
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(base, versions[0], 'bin');
  }
  const which = spawnSync('sh', ['-c', 'dirname "$(command -v initdb)"'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return which.stdout.trim();
  throw new Error('PostgreSQL is not installed (no initdb): .ci/run installs it with apt (postgresql)');
}

const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL program as the postgres user when this process is root (the server refuses root). */
function runPg(program: string, args: string[], options: { input?: string } = {}): string {
  const command = asRoot ? 'runuser' : join(binDir, program);
  const argv = asRoot ? ['-u', 'postgres', '--', join(binDir, program), ...args] : args;
  return execFileSync(command, argv, { encoding: 'utf8', input: options.input, stdio: ['pipe', 'pipe', 'pipe'] });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Clusters left by runs that were killed before their `after`: stopped and removed. */
function sweepAbandoned(): void {
  for (const name of readdirSync(tmpdir()).filter((n) => n.startsWith('broker-pg-'))) {
    const dir = join(tmpdir(), name);
    let owner: number;
    try {
      owner = Number(readFileSync(join(dir, markerFile), 'utf8'));
    } catch {
      continue;
    }
    if (isAlive(owner)) continue;
    try {
      runPg('pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', 'stop']);
    } catch {
      // Not running.
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function startPostgresCluster(): Promise<PostgresCluster> {
  sweepAbandoned();
  const dir = mkdtempSync(join(tmpdir(), 'broker-pg-'));
  writeFileSync(join(dir, markerFile), String(process.pid));
  const data = join(dir, 'data');
  const adminUser = 'broker_admin';
  const adminPassword = randomBytes(12).toString('hex');
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, `${adminPassword}\n`, { mode: 0o600 });
  if (asRoot) {
    const { uid, gid } = postgresIds();
    chownSync(dir, uid, gid);
    chownSync(pwfile, uid, gid);
  }
  chmodSync(dir, 0o700);
  runPg('initdb', ['-D', data, '-A', 'scram-sha-256', '-U', adminUser, `--pwfile=${pwfile}`, '-N', '-E', 'UTF8', '--locale=C']);
  rmSync(pwfile);
  const port = await freePort();
  const host = '127.0.0.1';
  const settings = [`-p ${port}`, `-k ${dir}`, `-c listen_addresses=${host}`, '-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off', '-c max_connections=300', '-c shared_buffers=32MB'].join(' ');
  const start = () => {
    runPg('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '30', '-o', settings, 'start']);
  };
  const stop = () => {
    try {
      runPg('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    } catch {
      // Already stopped.
    }
  };
  start();
  const admin = async <T extends pg.QueryResultRow>(database: string, text: string, values?: unknown[]) => {
    const client = new pg.Client({ host, port, user: adminUser, password: adminPassword, database });
    await client.connect();
    try {
      return await client.query<T>(text, values);
    } finally {
      await client.end();
    }
  };
  let destroyed = false;
  const destroy = () => {
    if (destroyed) return;
    destroyed = true;
    try {
      runPg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // Already stopped.
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', destroy);
  let made = 0;
  return {
    host,
    port,
    adminUser,
    adminPassword,
    admin,
    async createDatabase(prefix = 'broker') {
      made++;
      const name = `${prefix}_${process.pid}_${made}`.replace(/[^a-z0-9_]/g, '_');
      const user = `${name}_owner`;
      const password = randomBytes(12).toString('base64url');
      await admin('postgres', `CREATE ROLE ${user} LOGIN PASSWORD '${password}'`);
      await admin('postgres', `CREATE DATABASE ${name} OWNER ${user}`);
      return { name, user, password, url: `postgres://${user}:${password}@${host}:${port}/${name}` };
    },
    stop,
    start,
    destroy,
    pgBin: (name) => join(binDir, name),
  };
}

function postgresIds(): { uid: number; gid: number } {
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n').find((line) => line.startsWith('postgres:'));
  if (!passwd) throw new Error('running as root, but there is no postgres user to run the server as');
  const [, , uid, gid] = passwd.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** The environment a broker on some host uses for this database. */
export function brokerStoreEnv(database: BrokerDatabase, passphrase = 'postgres-test-passphrase'): Record<string, string> {
  return { BROKER_STORE: 'postgres', BROKER_DATABASE_URL: database.url, BROKER_PASSPHRASE: passphrase };
}

/** pg_dump of a database, as text (plain SQL with the data). */
export function dumpDatabase(cluster: PostgresCluster, database: BrokerDatabase): string {
  return execFileSync(cluster.pgBin('pg_dump'), ['-h', cluster.host, '-p', String(cluster.port), '-U', cluster.adminUser, '--no-owner', database.name], {
    encoding: 'utf8',
    env: { ...process.env, PGPASSWORD: cluster.adminPassword },
    maxBuffer: 256 * 1024 * 1024,
  });
}
