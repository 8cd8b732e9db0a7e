import { actionRefs } from '../action-refs.js';
import { clockTime, eventsOf, msOfDays, timeOf } from '../event-queries.js';
import { evidenceFrom } from '../evidence.js';
import type { Finding, Rule } from '../findings.js';

// "New" means: in the last 24 hours, and not once in the 7 days before them (for the same agent).
const recentMs = msOfDays(1);
const baselineMs = msOfDays(7);

export const newDestination: Rule = {
  id: 'new-destination',
  severity: 'warning',
  check(facts) {
    const now = facts.now.getTime();
    const names = new Set(facts.connections.map((c) => c.name));
    const requests = eventsOf(facts, 'request').filter((r) => r.event.conn !== undefined && names.has(r.event.conn) && timeOf(r) <= now);
    const agentOf = (e: { agent?: string }) => e.agent ?? '(no agent)';
    const baseline = new Map<string, Set<string>>();
    for (const r of requests) {
      const t = timeOf(r);
      if (t >= now - recentMs || t < now - recentMs - baselineMs) continue;
      const key = agentOf(r.event);
      if (!baseline.has(key)) baseline.set(key, new Set());
      baseline.get(key)!.add(r.event.target.toLowerCase());
    }
    const fresh = new Map<string, typeof requests>();
    for (const r of requests) {
      const seen = baseline.get(agentOf(r.event));
      // An agent without history in the window cannot have a "new" destination: nothing to compare with.
      if (timeOf(r) < now - recentMs || !seen || seen.has(r.event.target.toLowerCase())) continue;
      const key = `${r.event.conn}\u0000${agentOf(r.event)}\u0000${r.event.target.toLowerCase()}`;
      fresh.set(key, [...(fresh.get(key) ?? []), r]);
    }
    return [...fresh.values()].map((hits): Finding => {
      const first = hits[0]!;
      const requestsText = hits.length === 1 ? '1 request' : `${hits.length} requests`;
      return {
        id: this.id,
        severity: this.severity,
        conn: first.event.conn!,
        summary: `${first.event.conn}: agent ${agentOf(first.event)} sent ${requestsText} to ${first.event.target}, never seen from it in the previous 7 days (first at ${clockTime(timeOf(first))}, ${first.event.method} ${first.event.path})`,
        evidence: hits.slice(0, 3).map(evidenceFrom),
        actions: actionRefs('acknowledge'),
      };
    });
  },
};
