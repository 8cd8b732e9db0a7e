import { eventsOf, timeOf } from '../event-queries.js';
import { evidenceFrom } from '../evidence.js';
import type { Finding, Rule } from '../findings.js';
import { isRateLimited } from '../request-signals.js';

// The last hour against everything before it in the window. A spike needs enough errors to matter,
// most requests failing, and a rate far above the baseline (rate limits are reported on their own).
const recentMs = 3_600_000;
const minErrors = 10;
const minRate = 0.5;

export const errorSpike: Rule = {
  id: 'error-spike',
  severity: 'warning',
  check(facts) {
    const now = facts.now.getTime();
    return facts.connections.flatMap((conn): Finding[] => {
      const requests = eventsOf(facts, 'request', conn.name).filter((r) => timeOf(r) <= now && !isRateLimited(conn, r.event));
      const targets = [...new Set(requests.map((r) => r.event.target))];
      return targets.flatMap((target): Finding[] => {
        const toTarget = requests.filter((r) => r.event.target === target);
        const recent = toTarget.filter((r) => timeOf(r) > now - recentMs);
        const before = toTarget.filter((r) => timeOf(r) <= now - recentMs);
        const errors = recent.filter((r) => r.event.status >= 400);
        const rate = recent.length > 0 ? errors.length / recent.length : 0;
        const baseErrors = before.filter((r) => r.event.status >= 400).length;
        const baseRate = before.length > 0 ? baseErrors / before.length : 0;
        if (errors.length < minErrors || rate < minRate || rate < Math.max(5 * baseRate, baseRate + 0.4)) return [];
        const byStatus = new Map<number, number>();
        for (const e of errors) byStatus.set(e.event.status, (byStatus.get(e.event.status) ?? 0) + 1);
        const statuses = [...byStatus].sort((a, b) => b[1] - a[1]).map(([s, n]) => `${s} ×${n}`).join(', ');
        const baseline = before.length > 0 ? `baseline ${Math.round(baseRate * 100)}% over ${before.length} requests` : 'no earlier requests in the window';
        return [
          {
            id: this.id,
            severity: this.severity,
            conn: conn.name,
            summary: `${conn.name}: ${errors.length} of ${recent.length} requests to ${target} failed in the last hour (${Math.round(rate * 100)}%; ${baseline}): ${statuses}`,
            evidence: [errors[0]!, errors.at(-1)!].filter((e, i, all) => all.indexOf(e) === i).map(evidenceFrom),
            actions: [],
          },
        ];
      });
    });
  },
};
