import { noSuchConnection, usageError } from '../core/broker-error.js';
import { toStatusReport, type StatusSnapshot } from '../core/health-rows.js';
import { formatStatusJson } from '../output/status-json.js';
import { formatStatusText } from '../output/status-text.js';
import { formatServeText, serveJson } from '../output/serve-status.js';
import { defineCommand } from './command.js';
import type { Deps } from './deps.js';
import { diagnoseHome } from './diagnose-home.js';

export interface StatusOptions {
  conn?: string;
}

const window24h = 24 * 60 * 60 * 1000;

export const statusCommand = defineCommand<StatusOptions>({
  name: 'status',
  usage: `Usage: broker status [--json] [--conn NAME]

One row per connection: provider, kind, account, scopes, access token expiry, last refresh,
idle time, last error and health (the worst finding of the last 24 h). In a terminal the grid is
live: ↑/↓ (or j/k), PgUp/PgDn, g/G select, / filters, Enter shows a connection's details, Esc goes
back, d opens the doctor on the selected connection (s comes back), ? lists every key, q quits.
Piped, it prints the same table as plain text.

Options:
  --json        one JSON document on stdout
  --conn NAME   only this connection (piped: with its full details)

Exit codes: 0 all healthy; 1 a connection is error/critical or the token store is unavailable;
2 bad usage, an unknown --conn, or an unreadable state.json.
`,
  options: {
    json: { type: 'boolean' },
    conn: { type: 'string' },
  },
  parse(values, positionals) {
    if (positionals.length > 0) throw usageError('status takes no arguments', 'to see one connection: broker status --conn NAME');
    return { conn: values.conn as string | undefined };
  },
  async run(opts, deps) {
    if (opts.conn !== undefined && !deps.state().get(opts.conn)) throw noSuchConnection(opts.conn);
    const load = (): Promise<StatusSnapshot> => loadStatusSnapshot(deps, opts.conn);
    const snapshot = await load();
    if (deps.mode === 'tty') {
      const { showApp, lazyDoctorSource } = await import('../ui/show-app.js');
      // `d` opens the doctor over the same 24 h the grid's health counts (its code loads on the first `d`).
      const doctor = lazyDoctorSource(async () => {
        const { doctorSession, interactiveDoctor } = await import('./doctor-session.js');
        return interactiveDoctor(doctorSession(deps, { since: { all: false, ms: window24h }, conn: opts.conn }), deps);
      });
      return showApp({ start: 'status', status: { load, snapshot }, doctor, clock: deps.now }, deps.io);
    }
    const now = deps.now();
    const report = toStatusReport(snapshot, now);
    const { readServeSummary } = await import('../adapters/serve/serve-summary.js');
    const serve = await readServeSummary(deps.paths, now);
    deps.io.stdout.write(deps.mode === 'json' ? formatStatusJson(report, now, serveJson(serve)) : formatStatusText(report, now, opts.conn !== undefined) + formatServeText(serve, now));
    return report.exitCode;
  },
});

/** State, the token store's status and the findings of the last 24 h (health counts the active ones). */
export async function loadStatusSnapshot(deps: Deps, conn: string | undefined): Promise<StatusSnapshot> {
  const until = deps.now();
  const home = await diagnoseHome(deps, { since: new Date(until.getTime() - window24h), until, conn });
  return { store: home.store, connections: home.connections, findings: home.findings };
}
