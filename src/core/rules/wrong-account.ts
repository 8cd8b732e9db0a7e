import { actionRefs } from '../action-refs.js';
import { pushLatest } from '../bounded.js';
import { clockTime } from '../event-queries.js';
import type { LoggedEvent } from '../events.js';
import { evidenceFrom } from '../evidence.js';
import { findingOf } from '../finding-state.js';
import { defineRule, type Finding } from '../findings.js';

export const wrongAccount = defineRule({
  id: 'wrong-account',
  severity: 'error',
  /** Per connection, the latest identities seen at login or by a probe. */
  start: () => new Map<string, LoggedEvent[]>(),
  observe(sightings, logged, providers) {
    const { event } = logged;
    if ((event.event !== 'login' && event.event !== 'probe') || event.identity === undefined || event.conn === undefined || !providers.has(event.conn)) return;
    const list = sightings.get(event.conn) ?? [];
    pushLatest(list, logged, 8);
    sightings.set(event.conn, list);
  },
  finish(sightings, ctx) {
    return ctx.connections.flatMap((conn): Finding[] => {
      const expected = conn.account?.toLowerCase();
      if (expected === undefined) return [];
      const seen = [...(sightings.get(conn.name) ?? [])].sort((a, b) => a.t - b.t);
      const identityOf = (l: LoggedEvent) => ('identity' in l.event ? l.event.identity : undefined);
      // Only the latest sighting counts: a later login or probe as the right account settles it.
      const wrong = seen.filter((l) => identityOf(l)?.toLowerCase() !== expected).at(-1);
      if (!wrong) return [];
      const settledBy = seen.find((l) => l.t > wrong.t && identityOf(l)?.toLowerCase() === expected);
      const who = identityOf(wrong)!;
      const e = wrong.event;
      const what =
        e.event === 'login' ? (e.outcome === 'refused' ? `a login as ${who} was refused at ${clockTime(wrong.t)}` : `logged in as ${who} at ${clockTime(wrong.t)}`) : `the identity check at ${clockTime(wrong.t)} answered as ${who}`;
      return [
        findingOf(
          {
            id: 'wrong-account',
            severity: 'error',
            conn: conn.name,
            summary: `${conn.name}: must be ${conn.account}, but ${what}`,
            evidence: [evidenceFrom(wrong)],
            actions: actionRefs('relogin'),
          },
          settledBy,
        ),
      ];
    });
  },
});
