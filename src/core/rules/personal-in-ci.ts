import { clockTime, eventsOf, timeOf, whoDid } from '../event-queries.js';
import { evidenceFrom } from '../evidence.js';
import type { Finding, Rule } from '../findings.js';

export const personalInCi: Rule = {
  id: 'personal-in-ci',
  severity: 'warning',
  check(facts) {
    return facts.connections.flatMap((conn): Finding[] => {
      if (conn.kind !== 'personal') return [];
      const handed = eventsOf(facts, 'token', conn.name).filter((t) => t.event.ci === true);
      const last = handed.at(-1);
      if (!last) return [];
      const times = handed.length === 1 ? 'once' : `${handed.length} times`;
      return [
        {
          id: this.id,
          severity: this.severity,
          conn: conn.name,
          summary: `${conn.name}: personal credential${conn.account ? ` of ${conn.account}` : ''} handed to CI ${times} (last at ${clockTime(timeOf(last))} to ${whoDid(last.event)})`,
          evidence: handed.slice(-3).map(evidenceFrom),
          // Nothing to run: the fix is a service connection, which the runbook explains.
          actions: [],
        },
      ];
    });
  },
};
