import { readRunbooks } from '../adapters/runbook-files.js';
import { usageError } from '../core/broker-error.js';
import { diagnose } from '../core/diagnose.js';
import { toDoctorReport } from '../core/doctor-report.js';
import { parseSince, sinceHelp, sinceStart, type Since } from '../core/parse-since.js';
import { withRunbookActions } from '../core/runbook.js';
import { formatDoctorJson } from '../output/doctor-json.js';
import { formatDoctorText } from '../output/doctor-text.js';
import { defineCommand } from './command.js';
import { gatherFacts } from './gather-facts.js';

export interface DoctorOptions {
  since: Since;
  conn?: string;
  /** Hidden: evaluate as of this moment (scenarios, tests). */
  now?: Date;
}

export const doctorCommand = defineCommand<DoctorOptions>({
  name: 'doctor',
  usage: `Usage: broker doctor [--json] [--since 1h|24h|7d|all] [--conn NAME]

Reads state.json, the token store's status and the event log in the window, and names each
failure in one line with its evidence (log file and line), most severe first, with the fix from
its runbook (runbooks/<id>.md).

Options:
  --json          one JSON document on stdout: store, window, linesRead, linesSkipped, connections, findings
  --since WHEN    ${sinceHelp} (default 24h)
  --conn NAME     only this connection

Exit codes: 0 no finding of severity error or critical (also with --json, so it works as a
readiness probe); 1 at least one; 2 bad usage, an unknown --conn, or an unreadable state.json.
`,
  options: {
    json: { type: 'boolean' },
    since: { type: 'string' },
    conn: { type: 'string' },
    now: { type: 'string' },
  },
  parse(values, positionals) {
    if (positionals.length > 0) throw usageError('doctor takes no arguments', 'to check one connection: broker doctor --conn NAME');
    const since = parseSince((values.since as string | undefined) ?? '24h');
    if (!since) throw usageError(`--since "${values.since}" is not a duration`, `use ${sinceHelp}`);
    let now: Date | undefined;
    if (values.now !== undefined) {
      now = new Date(values.now as string);
      if (Number.isNaN(now.getTime())) throw usageError('--now must be an ISO time');
    }
    return { since, conn: values.conn as string | undefined, now };
  },
  async run(opts, deps) {
    if (opts.conn !== undefined && !deps.state().get(opts.conn)) {
      throw usageError(`no connection named "${opts.conn}"`, 'run `broker status` to list connections');
    }
    const until = opts.now ?? deps.now();
    const since = sinceStart(opts.since, until);
    const gathered = await gatherFacts(deps, { since, until, conn: opts.conn });
    const found = diagnose(gathered.facts);
    const runbooks = readRunbooks([...new Set(found.map((f) => f.id))]);
    const findings = found.map((f) => withRunbookActions(f, runbooks.get(f.id)));
    const report = toDoctorReport({ store: gathered.facts.store, since, until, linesRead: gathered.linesRead, linesSkipped: gathered.linesSkipped, connections: gathered.facts.connections, findings });
    // The interactive doctor (one-keystroke fixes) is a separate screen; until it lands, a terminal gets the text report.
    deps.io.stdout.write(deps.mode === 'json' ? formatDoctorJson(report) : formatDoctorText(report, runbooks));
    return report.exitCode;
  },
});
