import { operatorName } from '../../adapters/operator.js';
import { BrokerError } from '../../core/broker-error.js';
import type { ActionId, Finding } from '../../core/findings.js';
import { showOnlyActions, type Remediation } from '../../core/remediation.js';
import type { Deps } from '../deps.js';

export interface ActionOutcome {
  ok: boolean;
  /** One line for the remediation event and the screen; never a secret. */
  detail: string;
  /** Text a show-only action prints for the operator (corrected environment, instructions). */
  output?: string;
}

/** What an action may ask the person for: a secret typed without echo (null when they cancel); and when to give up. */
export interface ActionPrompts {
  askSecret?: (prompt: string) => Promise<string | null>;
  /** Aborted when the person is gone (the TUI quit while it ran): waits such as a device login stop. */
  signal?: AbortSignal;
}

export type ActionDeps = Deps & ActionPrompts;
export type ActionExecutor = (remediation: Remediation, deps: ActionDeps) => Promise<ActionOutcome>;
export type ActionExecutors = Partial<Record<ActionId, ActionExecutor>>;

export interface RemediationResult extends ActionOutcome {
  /** True when the re-run diagnosis no longer shows the finding as active (gone, or resolved by the fix). */
  held: boolean;
  /** The action only showed what to change: the finding is expected to stay. */
  showOnly: boolean;
  findingsAfter: Finding[];
}

/**
 * The one place a fix runs: execute, write a `remediation` event, re-run the diagnosis and say
 * whether the finding is gone. Asking y/N is the caller's job (TUI confirm, or --yes).
 */
export async function runRemediation(
  remediation: Remediation,
  deps: ActionDeps,
  executors: ActionExecutors,
  recheck: () => Promise<Finding[]>,
): Promise<RemediationResult> {
  const executor = executors[remediation.action];
  let outcome: ActionOutcome;
  if (!executor) {
    outcome = { ok: false, detail: `the ${remediation.action} action cannot run here` };
  } else {
    try {
      outcome = await executor(remediation, deps);
    } catch (err) {
      outcome = { ok: false, detail: err instanceof BrokerError ? [err.message, err.hint].filter(Boolean).join('; ') : `unexpected error: ${(err as Error).message}` };
    }
  }
  deps.appendEvent({
    event: 'remediation',
    conn: remediation.conn ?? undefined,
    action: remediation.action,
    finding: remediation.findingId,
    outcome: outcome.ok ? 'ok' : 'error',
    operator: operatorName(),
    detail: outcome.detail,
  });
  const findingsAfter = await recheck();
  const held = !findingsAfter.some((f) => f.id === remediation.findingId && f.conn === remediation.conn && f.state === 'active');
  return { ...outcome, held, showOnly: showOnlyActions.has(remediation.action), findingsAfter };
}
