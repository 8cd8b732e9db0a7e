import { noSuchConnection, usageError } from '../core/broker-error.js';
import { parseSince, sinceHelp, type Since } from '../core/parse-since.js';
import { formatDoctorJson } from '../output/doctor-json.js';
import { formatDoctorText } from '../output/doctor-text.js';
import { defineCommand } from './command.js';
import { doctorSession, interactiveDoctor } from './doctor-session.js';
import { loadStatusSnapshot } from './status.js';
import { fixFinding, type FixRequest } from './remediation/fix-finding.js';

export interface DoctorOptions {
  since: Since;
  conn?: string;
  fix?: FixRequest;
  probe?: boolean;
  /** Hidden: evaluate as of this moment (scenarios, tests). */
  now?: Date;
}

export const doctorCommand = defineCommand<DoctorOptions>({
  name: 'doctor',
  usage: `Usage: broker doctor [--json] [--since 1h|24h|7d|all] [--conn NAME] [--probe]
       broker doctor --fix FINDING_ID [--conn NAME] [--action KEY] [--yes]

Reads state.json, the token store's status and the event log in the window, and names each
failure in one line with its evidence (log file and line), most severe first, with the fix from
its runbook (runbooks/<id>.md).

Options:
  --json          one JSON document on stdout: store, window, linesRead, linesSkipped, connections, findings
  --since WHEN    ${sinceHelp} (default 24h)
  --conn NAME     only this connection
  --probe         first check every connection live, all at once, each within 2 s: the token
                  endpoint accepts the client (nothing is refreshed: it is asked for a made-up
                  token), the identity endpoint answers as the account, a GitHub App can mint for
                  its installation; the results are probe events the findings read. With --json,
                  the exit code is a readiness answer.
  --fix ID        run the fix of finding ID (its first action, or --action KEY), write a
                  remediation event, then diagnose again and say whether the finding is gone
  --action KEY    which of the finding's actions (its key or name, as the report lists them)
  --yes           do not ask y/N (needed when stdin is not a terminal)

Exit codes: 0 no finding of severity error or critical (also with --json, so it works as a
readiness probe); 1 at least one; 2 bad usage, an unknown --conn, or an unreadable state.json.
With --fix: 0 the fix ran and the finding is gone (or was not there); 1 it failed or the finding stayed.
`,
  options: {
    json: { type: 'boolean' },
    since: { type: 'string' },
    conn: { type: 'string' },
    now: { type: 'string' },
    fix: { type: 'string' },
    action: { type: 'string' },
    yes: { type: 'boolean' },
    probe: { type: 'boolean' },
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
    const conn = values.conn as string | undefined;
    if ((values.action !== undefined || values.yes) && values.fix === undefined) throw usageError('--action and --yes go with --fix FINDING_ID');
    const fix = values.fix === undefined ? undefined : { findingId: values.fix as string, conn, action: values.action as string | undefined, yes: values.yes === true };
    return { since, conn, now, fix, probe: values.probe === true };
  },
  async run(opts, deps) {
    if (opts.conn !== undefined && !deps.state().get(opts.conn)) throw noSuchConnection(opts.conn);
    const { diagnoseNow, recheck } = doctorSession(deps, opts);
    if (opts.fix) return fixFinding(opts.fix, (await diagnoseNow()).findings, deps, recheck);
    if (deps.mode === 'tty') {
      const { showApp } = await import('../ui/show-app.js');
      // `s` shows the grid as of the same moment the doctor diagnoses.
      const at = opts.now ? { ...deps, now: () => opts.now! } : deps;
      const status = { load: () => loadStatusSnapshot(at, opts.conn) };
      return showApp({ start: 'doctor', doctor: interactiveDoctor({ diagnoseNow, recheck }, deps), status, clock: at.now }, deps.io);
    }
    const { runbooks, report } = await diagnoseNow();
    deps.io.stdout.write(deps.mode === 'json' ? formatDoctorJson(report) : formatDoctorText(report, runbooks));
    return report.exitCode;
  },
});
