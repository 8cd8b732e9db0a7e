import { actionRefs } from '../action-refs.js';
import { later, pushLatest } from '../bounded.js';
import { clockTime } from '../event-queries.js';
import type { LoggedEvent } from '../events.js';
import { evidenceFrom } from '../evidence.js';
import { findingOf } from '../finding-state.js';
import { defineRule, type Finding } from '../findings.js';
import { providerProfile } from '../providers/index.js';

// The provider did not answer, or answered 5xx: not a credential problem, but nothing can be
// refreshed or checked until it answers. A probe that ran out of time is exactly this.

interface Reachability {
  /** Attempts that got no usable answer since the last success, the latest few. */
  failures: LoggedEvent[];
  count: number;
  firstFailure?: LoggedEvent;
  /** The latest answer that worked: an ok refresh, login or probe. */
  lastAnswer?: LoggedEvent;
  /** The latest success after a failure: what ended the episode. */
  endedBy?: LoggedEvent;
}

export const providerUnreachable = defineRule({
  id: 'provider-unreachable',
  severity: 'error',
  start: () => new Map<string, Reachability>(),
  observe(conns, logged, providers) {
    const { event } = logged;
    if ((event.event !== 'refresh' && event.event !== 'probe' && event.event !== 'login') || event.conn === undefined || !providers.has(event.conn)) return;
    const entry = conns.get(event.conn) ?? { failures: [], count: 0 };
    conns.set(event.conn, entry);
    if (event.outcome === 'ok') {
      entry.lastAnswer = later(entry.lastAnswer, logged);
      if (entry.count > 0 && entry.failures.at(-1)!.t < logged.t) {
        entry.endedBy = logged;
        entry.count = 0;
      }
      return;
    }
    if (event.event === 'login' || !unanswered(event)) return;
    // A failure after the episode ended starts a new one.
    if (entry.count === 0) {
      entry.failures = [];
      entry.firstFailure = logged;
      entry.endedBy = undefined;
    }
    entry.count++;
    pushLatest(entry.failures, logged, 4);
  },
  finish(conns, ctx) {
    return ctx.connections.flatMap((conn): Finding[] => {
      const entry = conns.get(conn.name);
      const last = entry?.failures.at(-1);
      if (!entry || !last || !entry.firstFailure) return [];
      const e = last.event as { check?: string; error?: string; error_description?: string; status?: number };
      const what = e.check ? `the ${e.check} probe` : 'a refresh';
      const said = e.error === 'timeout' ? (e.error_description ?? 'no answer in time') : `${e.status ? `HTTP ${e.status} ` : ''}${e.error ?? 'error'}`;
      const attempts = entry.count > 1 ? `; ${entry.count} attempts without an answer since ${clockTime(entry.firstFailure.t)}` : '';
      return [
        findingOf(
          {
            id: 'provider-unreachable',
            severity: 'error',
            conn: conn.name,
            summary: `${conn.name}: ${providerProfile(conn.provider).displayName} gave no usable answer to ${what} at ${clockTime(last.t)} (${said})${attempts}: not a credential problem, but nothing can be refreshed until it answers`,
            evidence: entry.failures.map(evidenceFrom),
            actions: actionRefs('refresh'),
          },
          entry.count === 0 ? entry.endedBy : undefined,
        ),
      ];
    });
  },
});

/** No answer the broker could use: a timeout, a connection that failed, or a provider error (5xx). */
function unanswered(event: { error?: string; status?: number }): boolean {
  return event.error === 'timeout' || event.error === 'network_error' || (event.status !== undefined && event.status >= 500 && event.status < 600);
}
