import { actionRefs } from '../action-refs.js';
import { clockTime, eventsOf, timeOf } from '../event-queries.js';
import { evidenceFrom } from '../evidence.js';
import type { Finding, Rule } from '../findings.js';

export const wrongAccount: Rule = {
  id: 'wrong-account',
  severity: 'error',
  check(facts) {
    return facts.connections.flatMap((conn): Finding[] => {
      const expected = conn.account;
      if (expected === undefined) return [];
      // Only the latest sighting counts: a later login or probe as the right account settles it.
      const sightings = [...eventsOf(facts, 'login', conn.name), ...eventsOf(facts, 'probe', conn.name)]
        .filter((l) => l.event.identity !== undefined)
        .sort((a, b) => timeOf(a) - timeOf(b));
      const latest = sightings.at(-1);
      const seen = latest?.event.identity;
      if (!latest || seen === undefined || seen.toLowerCase() === expected.toLowerCase()) return [];
      const what =
        latest.event.event === 'login'
          ? latest.event.outcome === 'refused'
            ? `a login as ${seen} was refused at ${clockTime(timeOf(latest))}`
            : `logged in as ${seen} at ${clockTime(timeOf(latest))}`
          : `the identity check at ${clockTime(timeOf(latest))} answered as ${seen}`;
      return [
        {
          id: this.id,
          severity: this.severity,
          conn: conn.name,
          summary: `${conn.name}: must be ${expected}, but ${what}`,
          evidence: [evidenceFrom(latest)],
          actions: actionRefs('relogin'),
        },
      ];
    });
  },
};
