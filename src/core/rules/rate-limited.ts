import { clockTime, eventsOf, timeOf } from '../event-queries.js';
import { evidenceFrom } from '../evidence.js';
import type { Finding, Rule } from '../findings.js';
import { isRateLimited } from '../request-signals.js';

export const rateLimited: Rule = {
  id: 'rate-limited',
  severity: 'info',
  check(facts) {
    return facts.connections.flatMap((conn): Finding[] => {
      const limited = eventsOf(facts, 'request', conn.name).filter((r) => isRateLimited(conn, r.event));
      const last = limited.at(-1);
      if (!last) return [];
      const reset = Number(last.event['x-ratelimit-reset']);
      const until = Number.isFinite(reset) && reset > 0 ? `, resets ${clockTime(reset * 1000)}` : last.event['retry-after'] ? `, retry after ${last.event['retry-after']} s` : '';
      const remaining = last.event['x-ratelimit-remaining'] !== undefined ? `, remaining ${last.event['x-ratelimit-remaining']}` : '';
      const count = limited.length === 1 ? '1 request' : `${limited.length} requests`;
      return [
        {
          id: this.id,
          severity: this.severity,
          conn: conn.name,
          summary: `${conn.name}: ${last.event.target} rate-limited ${count} (last ${last.event.status} at ${clockTime(timeOf(last))}${remaining}${until}): not an auth failure, the credential is fine`,
          evidence: limited.slice(-3).map(evidenceFrom),
          actions: [],
        },
      ];
    });
  },
};
