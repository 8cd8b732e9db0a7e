import { BrokerError, noSuchConnection } from '../core/broker-error.js';
import { exitCodes } from '../core/exit-codes.js';
import { defineCommand, type OptionValues } from './command.js';
import type { Deps } from './deps.js';
import { oneName } from './token.js';

export interface RefreshOptions {
  name: string;
  json: boolean;
}

export interface RefreshReport {
  conn: string;
  outcome: 'ok' | 'error';
  /** Another process refreshed while this one waited for the lock; its token was kept. */
  adopted: boolean;
  /** This refresh's token had been rotated by another process already (no lock between them). */
  lostRace?: boolean;
  generation?: number;
  accessTokenFp?: string;
  accessTokenExpiresAt?: string;
  error?: string;
  hint?: string;
}

export const refreshCommand = defineCommand<RefreshOptions>({
  name: 'refresh',
  usage: `Usage: broker refresh NAME [--json]

Refreshes NAME's access token now, under the connection's lock (a process already refreshing it
wins, and its token is kept). Exit codes: 0 done; 1 the refresh failed; 3 a login is needed.

Options:
  --json   print {conn, outcome, adopted, generation, accessTokenFp, accessTokenExpiresAt, error, hint}
`,
  options: { json: { type: 'boolean' } },
  parse: (values: OptionValues, positionals: string[]) => ({ name: oneName('refresh', positionals), json: values.json === true }),
  async run(opts, deps) {
    if (!deps.state().get(opts.name)) throw noSuchConnection(opts.name);
    const { report, exitCode } = await refreshNow(deps, opts.name, 'manual');
    if (opts.json) {
      deps.io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else if (report.outcome === 'ok') {
      deps.io.stdout.write(`${opts.name}: ${describeRefresh(report)}: generation ${report.generation}, access token fp ${report.accessTokenFp}${report.accessTokenExpiresAt ? `, expires ${report.accessTokenExpiresAt}` : ''}\n`);
    } else {
      deps.io.stderr.write(`broker: ${report.error}\n${report.hint ? `  fix: ${report.hint}\n` : ''}`);
    }
    return exitCode;
  },
});

/** One refresh under the lock, as a report (never throws a BrokerError): shared by refresh and keepalive. */
export async function refreshNow(deps: Deps, name: string, trigger: 'manual' | 'keepalive'): Promise<{ report: RefreshReport; exitCode: number }> {
  try {
    const connection = deps.state().get(name);
    if (connection?.provider === 'github-app') {
      const { installationTokenFor } = await import('../adapters/github-app-token.js');
      await installationTokenFor(name, deps, { trigger, force: true });
      const after = deps.state().get(name);
      return { report: { conn: name, outcome: 'ok', adopted: false, generation: after?.generation, accessTokenFp: after?.accessTokenFp, accessTokenExpiresAt: after?.accessTokenExpiresAt }, exitCode: exitCodes.ok };
    }
    const { refreshUnderLock } = await import('../adapters/refresh-under-lock.js');
    const result = await refreshUnderLock(deps, { conn: name, trigger });
    const c = result.connection;
    return {
      report: { conn: name, outcome: 'ok', adopted: result.adopted, lostRace: result.lostRace, generation: c.generation, accessTokenFp: c.accessTokenFp, accessTokenExpiresAt: c.accessTokenExpiresAt },
      exitCode: exitCodes.ok,
    };
  } catch (err) {
    if (!(err instanceof BrokerError)) throw err;
    return { report: { conn: name, outcome: 'error', adopted: false, error: err.message, hint: err.hint }, exitCode: err.exitCode };
  }
}

/** What a successful refresh did, in words: it never says "kept its token" of a token it has not found good. */
export function describeRefresh(report: Pick<RefreshReport, 'adopted' | 'lostRace'>): string {
  if (report.lostRace) return report.adopted ? 'lost a race to another process; kept the winner\'s token (still valid, and the provider does not revoke on reuse)' : 'lost a race to another process; refreshed again with the winner\'s token';
  return report.adopted ? 'another process had just refreshed it; kept its token' : 'refreshed';
}
