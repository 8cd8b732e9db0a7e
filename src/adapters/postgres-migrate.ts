import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'pg';
import { BrokerError } from '../core/broker-error.js';
import { exitCodes } from '../core/exit-codes.js';
import { packagePath } from './package-path.js';
import { databaseError, longStatement, type Db } from './postgres-db.js';

// The schema is versioned by numbered SQL files, migrations/NNNN_name.sql (§14). `broker migrate`
// applies the ones a database lacks, and so does the first process that finds its database behind.
// Every applier takes one advisory lock first and reads the version under it, so ten replicas
// starting at once apply each file exactly once; each file runs in its own transaction, recorded
// in broker.schema_migrations in that same transaction, so a file is applied whole or not at all.

export interface MigrationFile {
  version: number;
  name: string;
  path: string;
}

const migrationName = /^(\d{4})_([a-z0-9_]+)\.sql$/;
const migrateLockKey = 'broker.migrate';
// DDL may wait for a table lock another session holds; that is slower than a statement may be.
const migrateStatementTimeoutMs = 60_000;

export function migrationFiles(dir = packagePath('migrations')): MigrationFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    throw new BrokerError(`the schema files are missing (${dir}): ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`, exitCodes.failed, 'reinstall broker: migrations/ ships beside dist/');
  }
  const files = names.flatMap((name): MigrationFile[] => {
    const m = migrationName.exec(name);
    return m ? [{ version: Number(m[1]), name: name.replace(/\.sql$/, ''), path: join(dir, name) }] : [];
  });
  files.sort((a, b) => a.version - b.version);
  files.forEach((f, i) => {
    if (f.version !== i + 1) throw new BrokerError(`migrations/ must number its files 0001, 0002, … without gaps; found ${f.name} at place ${i + 1}`, exitCodes.failed);
  });
  return files;
}

/** The newest schema version this broker knows. */
export function knownSchemaVersion(): number {
  return migrationFiles().at(-1)?.version ?? 0;
}

export interface MigrateResult {
  /** The files this call applied (none when another process had applied them). */
  applied: string[];
  version: number;
}

export async function migrate(db: Db, files: MigrationFile[] = migrationFiles()): Promise<MigrateResult> {
  try {
    return await db.exclusive((client) => migrateOn(client, files));
  } catch (err) {
    throw databaseError(err, db.address, 'applying the schema');
  }
}

async function migrateOn(client: Client, files: MigrationFile[]): Promise<MigrateResult> {
  await client.query(`SET statement_timeout = ${migrateStatementTimeoutMs}`);
  await client.query(longStatement('SELECT pg_advisory_lock(hashtextextended($1, 0))', [migrateLockKey], migrateStatementTimeoutMs + 1_000));
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS broker;
      CREATE TABLE IF NOT EXISTS broker.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const current = Number((await client.query<{ version: number | null }>('SELECT max(version) AS version FROM broker.schema_migrations')).rows[0]?.version ?? 0);
    const newest = files.at(-1)?.version ?? 0;
    if (current > newest) throw newerSchema(current, newest);
    const applied: string[] = [];
    for (const file of files.filter((f) => f.version > current)) {
      const sql = readFileSync(file.path, 'utf8');
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query('INSERT INTO broker.schema_migrations (version, name) VALUES ($1, $2)', [file.version, file.name]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new BrokerError(`applying ${file.name}.sql failed: ${(err as Error).message}`, exitCodes.failed, 'nothing of that file was applied; fix the cause (often a missing privilege) and run `broker migrate` again');
      }
      applied.push(file.name);
    }
    return { applied, version: Math.max(current, newest) };
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [migrateLockKey]).catch(() => undefined);
    await client.query('RESET statement_timeout').catch(() => undefined);
  }
}

export function newerSchema(found: number, known: number): BrokerError {
  return new BrokerError(`the database's broker schema is version ${found}, newer than this broker knows (${known})`, exitCodes.failed, 'upgrade broker on this host to the version the other hosts run');
}
