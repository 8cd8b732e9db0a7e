import { pushLatest } from '../bounded.js';
import { clockTime } from '../event-queries.js';
import type { LoggedEvent, RequestEvent } from '../events.js';
import { evidenceFrom } from '../evidence.js';
import { findingOf } from '../finding-state.js';
import { defineRule, type Finding } from '../findings.js';
import { isRateLimited } from '../request-signals.js';

interface Limited {
  count: number;
  latest: Array<LoggedEvent<RequestEvent>>;
}

export const rateLimited = defineRule({
  id: 'rate-limited',
  severity: 'info',
  start: () => new Map<string, Limited>(),
  observe(limits, logged, providers) {
    const { event } = logged;
    if (event.event !== 'request' || event.conn === undefined) return;
    const provider = providers.get(event.conn);
    if (provider === undefined || !isRateLimited(provider, event)) return;
    const entry = limits.get(event.conn) ?? { count: 0, latest: [] };
    entry.count++;
    pushLatest(entry.latest, logged as LoggedEvent<RequestEvent>, 3);
    limits.set(event.conn, entry);
  },
  finish(limits, ctx) {
    return ctx.connections.flatMap((conn): Finding[] => {
      const entry = limits.get(conn.name);
      const last = entry?.latest.at(-1);
      if (!entry || !last) return [];
      const reset = Number(last.event['x-ratelimit-reset']);
      const until = Number.isFinite(reset) && reset > 0 ? `, resets ${clockTime(reset * 1000)}` : last.event['retry-after'] ? `, retry after ${last.event['retry-after']} s` : '';
      const remaining = last.event['x-ratelimit-remaining'] !== undefined ? `, remaining ${last.event['x-ratelimit-remaining']}` : '';
      const count = entry.count === 1 ? '1 request' : `${entry.count} requests`;
      return [
        findingOf({
          id: 'rate-limited',
          severity: 'info',
          conn: conn.name,
          summary: `${conn.name}: ${last.event.target} rate-limited ${count} (last ${last.event.status} at ${clockTime(last.t)}${remaining}${until}): not an auth failure, the credential is fine`,
          evidence: entry.latest.map(evidenceFrom),
          actions: [],
        }),
      ];
    });
  },
});
