import { clockTime, whoDid } from './event-queries.js';
import type { LoggedEvent } from './events.js';
import { evidenceFrom } from './evidence.js';
import type { Finding } from './findings.js';

// Health is now, history is evidence (docs/design.md §12): a finding is active until a later
// success ends it; then it is resolved at that success, which becomes its last evidence.

export type FindingBase = Omit<Finding, 'state' | 'resolvedAt'>;

/** Active without `resolvedBy`; otherwise resolved at it, with nothing left to run. */
export function findingOf(base: FindingBase, resolvedBy?: LoggedEvent): Finding {
  if (resolvedBy === undefined) return { ...base, state: 'active' };
  return {
    ...base,
    state: 'resolved',
    resolvedAt: new Date(resolvedBy.t).toISOString(),
    summary: `${base.summary}; resolved at ${clockTime(resolvedBy.t)}: ${describeSuccess(resolvedBy)}`,
    evidence: [...base.evidence, evidenceFrom(resolvedBy)],
    actions: [],
  };
}

/** "refresh ok by pid 4412 on build-1": what the success was, in a few words. */
export function describeSuccess(logged: LoggedEvent): string {
  const e = logged.event;
  switch (e.event) {
    case 'refresh':
      return `${e.adopted ? 'took over a fresh token' : 'refresh ok'} by ${whoDid(e)}`;
    case 'login':
      return `logged in${e.identity ? ` as ${e.identity}` : ''} by ${whoDid(e)}`;
    case 'probe':
      return `probe ${e.check} ok by ${whoDid(e)}`;
    case 'request':
      return `${e.method} ${e.path} answered ${e.status}`;
    default:
      return `${e.event} by ${whoDid(e)}`;
  }
}
