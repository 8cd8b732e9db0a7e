import { readRunbooks } from '../adapters/runbook-files.js';
import { noSuchConnection, usageError } from '../core/broker-error.js';
import { toDoctorReport } from '../core/doctor-report.js';
import { parseSince, sinceHelp, sinceStart, type Since } from '../core/parse-since.js';
import { withRunbook, type Runbook } from '../core/runbook.js';
import { formatDoctorJson } from '../output/doctor-json.js';
import { formatDoctorText } from '../output/doctor-text.js';
import { defineCommand } from './command.js';
import { diagnoseHome, readOn, type DiagnoseOptions, type Reached } from './diagnose-home.js';
import { fixFinding, type FixRequest } from './remediation/fix-finding.js';
import { actionExecutors } from './remediation/actions/index.js';
import { runRemediation } from './remediation/run-remediation.js';
import { planRemediation } from '../core/remediation.js';
import { Writable } from 'node:stream';

export interface DoctorOptions {
  since: Since;
  conn?: string;
  fix?: FixRequest;
  /** Hidden: evaluate as of this moment (scenarios, tests). */
  now?: Date;
}

export const doctorCommand = defineCommand<DoctorOptions>({
  name: 'doctor',
  usage: `Usage: broker doctor [--json] [--since 1h|24h|7d|all] [--conn NAME]
       broker doctor --fix FINDING_ID [--conn NAME] [--action KEY] [--yes]

Reads state.json, the token store's status and the event log in the window, and names each
failure in one line with its evidence (log file and line), most severe first, with the fix from
its runbook (runbooks/<id>.md).

Options:
  --json          one JSON document on stdout: store, window, linesRead, linesSkipped, connections, findings
  --since WHEN    ${sinceHelp} (default 24h)
  --conn NAME     only this connection
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
    return { since, conn, now, fix };
  },
  async run(opts, deps) {
    if (opts.conn !== undefined && !deps.state().get(opts.conn)) throw noSuchConnection(opts.conn);
    // The window starts where it started for the whole session: a re-check or `R` reads on from there.
    const since = sinceStart(opts.since, opts.now ?? deps.now());
    let reached: Reached | undefined;
    const diagnoseNow = async (onProgress?: DiagnoseOptions['onProgress']) => {
      const window = { since, until: opts.now ?? deps.now(), conn: opts.conn };
      const home = reached ? await readOn(deps, reached, window, { onProgress }) : await diagnoseHome(deps, window, { onProgress });
      reached = home.reached;
      const runbooks = readRunbooks([...new Set(home.findings.map((f) => f.id))]);
      const findings = home.findings.map((f) => withRunbook(f, runbooks.get(f.id)));
      return { runbooks, findings, report: toDoctorReport({ ...home, findings, since, until: window.until }) };
    };
    const recheck = async () => (await diagnoseNow()).findings;
    if (opts.fix) return fixFinding(opts.fix, (await diagnoseNow()).findings, deps, recheck);
    if (deps.mode === 'tty') {
      const { showDoctorScreen } = await import('../ui/show-doctor.js');
      const runbooks = new Map<string, Runbook>();
      return showDoctorScreen(
        {
          scan: async (onProgress) => {
            const scanned = await diagnoseNow(onProgress);
            for (const [id, runbook] of scanned.runbooks) runbooks.set(id, runbook);
            return scanned.report;
          },
          runbookFix: (id) => runbooks.get(id)?.sections.Fix,
          runAction: async (finding, action, onOutput) => {
            // What an action prints (a device code, a holder's output) goes to the screen, not under Ink's frame.
            const screenOut = new Writable({ write: (chunk: Buffer, _enc, done) => (onOutput(chunk.toString('utf8')), done()) });
            const actionDeps = { ...deps, io: { ...deps.io, stdout: screenOut, stderr: screenOut } };
            const result = await runRemediation(planRemediation(finding, action), actionDeps, actionExecutors, recheck);
            return { result, findingsAfter: result.findingsAfter };
          },
        },
        deps.io,
      );
    }
    const { runbooks, report } = await diagnoseNow();
    deps.io.stdout.write(deps.mode === 'json' ? formatDoctorJson(report) : formatDoctorText(report, runbooks));
    return report.exitCode;
  },
});
