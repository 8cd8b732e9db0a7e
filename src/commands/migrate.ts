import { usageError } from '../core/broker-error.js';
import { exitCodes } from '../core/exit-codes.js';
import { postgresAddress } from '../adapters/postgres-target.js';
import { defineCommand, type OptionValues } from './command.js';

export interface MigrateOptions {
  json: boolean;
}

export const migrateCommand = defineCommand<MigrateOptions>({
  name: 'migrate',
  usage: `Usage: broker migrate [--json]

Applies the PostgreSQL schema (migrations/NNNN_name.sql, in order) to the database that
BROKER_DATABASE_URL (or PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE) names: each file in its own
transaction, all under one advisory lock, so hosts that run it at once apply each file once. The
first broker process that finds the database behind does the same; this makes it explicit (a
deploy step, or a database user allowed to create tables that the agents' user is not).

Exit codes: 0 the schema is current; 1 the database cannot be used, or a file failed (nothing of
it is applied).

Options:
  --json   print {database, applied: [names], version}
`,
  options: { json: { type: 'boolean' } },
  // The schema is applied here, not by loading the store (which would apply it first and leave nothing to report).
  opensStore: false,
  parse(values: OptionValues, positionals: string[]) {
    if (positionals.length > 0) throw usageError('migrate takes no arguments', 'broker migrate [--json]');
    return { json: values.json === true };
  },
  async run(opts, deps) {
    const address = postgresAddress(deps.env);
    const [{ openDb }, { migrate }] = await Promise.all([import('../adapters/postgres-db.js'), import('../adapters/postgres-migrate.js')]);
    const db = openDb(address, `broker migrate ${process.pid}`);
    try {
      const result = await migrate(db);
      if (opts.json) {
        deps.io.stdout.write(`${JSON.stringify({ database: address.described, applied: result.applied, version: result.version }, null, 2)}\n`);
      } else {
        for (const name of result.applied) deps.io.stdout.write(`applied ${name}\n`);
        deps.io.stdout.write(`${address.described}: broker schema at version ${result.version}${result.applied.length === 0 ? ', nothing to apply' : ''}\n`);
      }
      return exitCodes.ok;
    } finally {
      await db.end();
    }
  },
});
