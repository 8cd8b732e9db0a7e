import { pushLatest } from '../bounded.js';
import { clockTime, whoDid } from '../event-queries.js';
import type { LoggedEvent } from '../events.js';
import { evidenceFrom } from '../evidence.js';
import { findingOf } from '../finding-state.js';
import { defineRule, type Finding } from '../findings.js';

/** Per connection: how many tokens went to a caller in CI, and the latest few hand-outs. */
interface CiHandouts {
  count: number;
  latest: LoggedEvent[];
}

export const personalInCi = defineRule({
  id: 'personal-in-ci',
  severity: 'warning',
  start: () => new Map<string, CiHandouts>(),
  observe(handouts, logged, providers) {
    const { event } = logged;
    if (event.event !== 'token' || event.ci !== true || event.conn === undefined || !providers.has(event.conn)) return;
    const entry = handouts.get(event.conn) ?? { count: 0, latest: [] };
    entry.count++;
    pushLatest(entry.latest, logged, 3);
    handouts.set(event.conn, entry);
  },
  finish(handouts, ctx) {
    return ctx.connections.flatMap((conn): Finding[] => {
      const entry = handouts.get(conn.name);
      const last = entry?.latest.at(-1);
      // The policy holds while the connection is personal: kind service (or a new connection) ends it.
      if (conn.kind !== 'personal' || !entry || !last) return [];
      const times = entry.count === 1 ? 'once' : `${entry.count} times`;
      return [
        findingOf({
          id: 'personal-in-ci',
          severity: 'warning',
          conn: conn.name,
          summary: `${conn.name}: personal credential${conn.account ? ` of ${conn.account}` : ''} handed to CI ${times} (last at ${clockTime(last.t)} to ${whoDid(last.event)})`,
          evidence: entry.latest.map(evidenceFrom),
          // Nothing to run: the fix is a service connection, which the runbook explains.
          actions: [],
        }),
      ];
    });
  },
});
