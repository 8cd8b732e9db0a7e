import { BrokerError, usageError } from '../../core/broker-error.js';
import { exitCodes } from '../../core/exit-codes.js';
import type { Finding } from '../../core/findings.js';
import { pickAction, planRemediation, recheckVerdict } from '../../core/remediation.js';
import { rules } from '../../core/rules/index.js';
import { stripControl } from '../../core/strip-control.js';
import { readClientSecretFromStdin } from '../../adapters/client-secret.js';
import { askHidden, askYesNo } from '../confirm.js';
import type { Deps } from '../deps.js';
import { actionExecutors } from './actions/index.js';
import { runRemediation } from './run-remediation.js';

export interface FixRequest {
  findingId: string;
  conn?: string;
  /** An action key or id; the finding's first action when absent. */
  action?: string;
  yes: boolean;
}

/** `broker doctor --fix`: pick the finding and its action, ask (or take --yes), run, re-check. */
export async function fixFinding(request: FixRequest, findings: Finding[], deps: Deps, recheck: () => Promise<Finding[]>): Promise<number> {
  if (!rules.some((r) => r.id === request.findingId)) {
    throw usageError(`--fix ${request.findingId}: no diagnosis has that id`, `the ids are: ${rules.map((r) => r.id).join(', ')}`);
  }
  const matching = findings.filter((f) => f.state === 'active' && f.id === request.findingId && (request.conn === undefined || f.conn === request.conn));
  if (matching.length === 0) {
    deps.io.stderr.write(`no ${request.findingId} finding${request.conn ? ` on ${request.conn}` : ''} in the window: nothing to fix\n`);
    return exitCodes.ok;
  }
  const [finding] = matching;
  // Several findings of one rule on one connection (new destinations of an agent) share their fix; on several connections, one must be named.
  const conns = [...new Set(matching.map((f) => f.conn))];
  if (!finding || conns.length > 1) {
    throw usageError(`${request.findingId} is found on ${conns.join(', ')}`, `name one: --conn ${conns[0]}`);
  }
  const action = pickAction(finding, request.action);
  if (!action) {
    if (finding.actions.length === 0) throw new BrokerError(`${finding.id} has no automatic fix`, exitCodes.failed, `follow runbooks/${finding.id}.md`);
    throw usageError(`${finding.id} has no action "${request.action}"`, `choose one of: ${finding.actions.map((a) => `${a.key} (${a.action})`).join(', ')}`);
  }
  const plan = planRemediation(finding, action);
  deps.io.stderr.write(`${stripControl(finding.summary)}\nfix: ${plan.description}\n`);
  if (!request.yes) {
    if (!deps.io.stdin.isTTY) throw usageError('--fix asks before it changes anything, and stdin is not a terminal', 'add --yes to run it without asking');
    if (!(await askYesNo(deps.io, 'Run it?'))) {
      deps.io.stderr.write('not run\n');
      return exitCodes.failed;
    }
  }
  // A secret the action needs is typed without echo in a terminal, or piped on stdin (with --yes).
  const askSecret = (prompt: string) => (deps.io.stdin.isTTY ? askHidden(deps.io, prompt) : readClientSecretFromStdin(deps.io.stdin));
  const result = await runRemediation(plan, { ...deps, askSecret }, actionExecutors, recheck);
  const where = finding.conn ? ` on ${finding.conn}` : '';
  if (deps.mode === 'json') {
    const doc = { finding: finding.id, conn: finding.conn, action: action.action, outcome: result.ok ? 'ok' : 'error', detail: result.detail, held: result.held, showOnly: result.showOnly, output: result.output };
    deps.io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    if (result.output) deps.io.stdout.write(`${result.output}\n`);
    deps.io.stdout.write(`${result.ok ? 'done' : 'failed'}: ${stripControl(result.detail)}\n`);
    deps.io.stdout.write(`re-check: ${recheckVerdict(result, `${finding.id}${where}`)}
`);
  }
  return result.ok && (result.held || result.showOnly) ? exitCodes.ok : exitCodes.failed;
}
