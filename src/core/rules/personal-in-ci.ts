import { pushLatest } from '../bounded.js';
import { clockTime, whoDid } from '../event-queries.js';
import type { LoggedEvent } from '../events.js';
import { evidenceFrom } from '../evidence.js';
import { findingOf } from '../finding-state.js';
import { defineRule, type Finding } from '../findings.js';

/** Per connection: how many times a caller in CI asked for its token (handed out, or refused), and the latest few. */
interface CiHandouts {
  count: number;
  refused: number;
  latest: LoggedEvent[];
}

export const personalInCi = defineRule({
  id: 'personal-in-ci',
  severity: 'warning',
  start: () => new Map<string, CiHandouts>(),
  observe(handouts, logged, providers) {
    const { event } = logged;
    if (event.ci !== true || event.conn === undefined || !providers.has(event.conn)) return;
    // A hand-out or a refused one from the CLI (token events), or serve refusing a --ci agent (a request event).
    const refused = (event.event === 'token' && event.outcome === 'refused') || (event.event === 'request' && event.reason === 'personal-connection-for-ci');
    if (event.event !== 'token' && !refused) return;
    const entry = handouts.get(event.conn) ?? { count: 0, refused: 0, latest: [] };
    entry.count++;
    if (refused) entry.refused++;
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
      const handed = entry.refused === entry.count ? 'asked for by CI' : 'handed to CI';
      const refusedNote = entry.refused > 0 && entry.refused < entry.count ? `, ${entry.refused} of them refused` : '';
      return [
        findingOf({
          id: 'personal-in-ci',
          severity: 'warning',
          conn: conn.name,
          summary: `${conn.name}: personal credential${conn.account ? ` of ${conn.account}` : ''} ${handed} ${times}${refusedNote} (last at ${clockTime(last.t)} ${entry.refused === entry.count ? 'by' : 'to'} ${whoDid(last.event)})`,
          evidence: entry.latest.map(evidenceFrom),
          // Nothing to run: the fix is a service connection, which the runbook explains.
          actions: [],
        }),
      ];
    });
  },
});
