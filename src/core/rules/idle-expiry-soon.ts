import { actionRefs } from '../action-refs.js';
import { dateTime, days, eventsOf, msOfDays, timeOf } from '../event-queries.js';
import { evidenceFrom } from '../evidence.js';
import type { Finding, Rule } from '../findings.js';
import { providerProfile } from '../providers/index.js';
import { explainRefreshFailures, lastRefreshTokenUse } from '../refresh-failures.js';

// Warn 14 days ahead, or a quarter of the window when it is short (oidc-provider: 14 days in all).
const maxWarningMs = msOfDays(14);

export const idleExpirySoon: Rule = {
  id: 'idle-expiry-soon',
  severity: 'warning',
  check(facts) {
    const now = facts.now.getTime();
    return facts.connections.flatMap((conn): Finding[] => {
      const windowDays = providerProfile(conn.provider).idleWindowDays;
      if (windowDays === undefined || conn.refreshTokenFp === undefined) return [];
      // A connection whose refresh already fails is reported by the failure rules instead.
      if (explainRefreshFailures(facts, conn).some((f) => !f.resolved)) return [];
      const successes = [...eventsOf(facts, 'refresh', conn.name).filter((r) => r.event.outcome === 'ok'), ...eventsOf(facts, 'login', conn.name).filter((l) => l.event.outcome === 'ok')];
      const lastUse = lastRefreshTokenUse(conn, successes, now + 1);
      if (lastUse === undefined) return [];
      const deadline = lastUse + msOfDays(windowDays);
      const left = deadline - now;
      if (left >= Math.min(maxWarningMs, msOfDays(windowDays) / 4)) return [];
      const when = left > 0 ? `expires from idleness in ${days(left)} days (${dateTime(deadline)})` : `passed its idle window on ${dateTime(deadline)}; the next refresh will likely fail`;
      const lastEvidence = successes.find((s) => timeOf(s) === lastUse);
      return [
        {
          id: this.id,
          severity: this.severity,
          conn: conn.name,
          summary: `${conn.name}: refresh token unused since ${dateTime(lastUse)}, ${when}`,
          evidence: lastEvidence ? [evidenceFrom(lastEvidence)] : [],
          actions: actionRefs('keepalive'),
        },
      ];
    });
  },
};
