import { Writable } from 'node:stream';
import { readRunbooks } from '../adapters/runbook-files.js';
import { toDoctorReport } from '../core/doctor-report.js';
import { sinceStart, type Since } from '../core/parse-since.js';
import { planRemediation } from '../core/remediation.js';
import { withRunbook, type Runbook } from '../core/runbook.js';
import type { ProbeResult } from '../adapters/connection-probe.js';
import type { DoctorSource } from '../ui/screens/DoctorScreen.js';
import type { Deps } from './deps.js';
import { diagnoseHome, readOn, type DiagnoseOptions, type Reached } from './diagnose-home.js';
import { actionExecutors } from './remediation/actions/index.js';
import { runRemediation } from './remediation/run-remediation.js';

export interface DoctorSessionOptions {
  since: Since;
  conn?: string;
  /** Check each connection live before the first diagnosis (its results are probe events the rules read). */
  probe?: boolean;
  /** Evaluate as of this moment (scenarios, tests). */
  now?: Date;
}

/** Every connection is probed at once, under one deadline: the whole probe answers within 3 s even when a provider never does. */
export const probeDeadlineMs = 2000;

/**
 * One doctor session: the window starts where it started for the whole session, and every
 * diagnosis after the first (a re-check, R) reads on from where the last one stopped.
 */
export function doctorSession(deps: Deps, opts: DoctorSessionOptions) {
  const since = sinceStart(opts.since, opts.now ?? deps.now());
  let reached: Reached | undefined;
  let probes: ProbeResult[] | undefined;
  const diagnoseNow = async (onProgress?: DiagnoseOptions['onProgress']) => {
    if (opts.probe && probes === undefined) {
      const connections = deps.state().list().filter((c) => opts.conn === undefined || c.name === opts.conn);
      // The OAuth client loads only with --probe.
      const { probeConnections } = await import('../adapters/connection-probe.js');
      probes = await probeConnections(connections, deps, probeDeadlineMs);
    }
    const window = { since, until: opts.now ?? deps.now(), conn: opts.conn };
    const home = reached ? await readOn(deps, reached, window, { onProgress }) : await diagnoseHome(deps, window, { onProgress });
    reached = home.reached;
    const runbooks = readRunbooks([...new Set(home.findings.map((f) => f.id))]);
    const findings = home.findings.map((f) => withRunbook(f, runbooks.get(f.id)));
    return { runbooks, findings, report: toDoctorReport({ ...home, findings, since, until: window.until, probes }) };
  };
  const recheck = async () => (await diagnoseNow()).findings;
  return { diagnoseNow, recheck };
}

/** The doctor view's source for the interactive app (`broker doctor`, and `d` in `broker status`). */
export function interactiveDoctor(session: ReturnType<typeof doctorSession>, deps: Deps): DoctorSource {
  const runbooks = new Map<string, Runbook>();
  return {
    scan: async (onProgress) => {
      const scanned = await session.diagnoseNow(onProgress);
      for (const [id, runbook] of scanned.runbooks) runbooks.set(id, runbook);
      return scanned.report;
    },
    runbook: (id) => runbooks.get(id),
    runAction: async (finding, action, onOutput, prompts) => {
      // What an action prints (a device code, a holder's output) goes to the screen, not under Ink's frame.
      const screenOut = new Writable({ write: (chunk: Buffer, _enc, done) => (onOutput(chunk.toString('utf8')), done()) });
      const actionDeps = { ...deps, io: { ...deps.io, stdout: screenOut, stderr: screenOut }, askSecret: prompts.askSecret, signal: prompts.signal };
      const result = await runRemediation(planRemediation(finding, action), actionDeps, actionExecutors, session.recheck);
      return { result, findingsAfter: result.findingsAfter };
    },
  };
}
