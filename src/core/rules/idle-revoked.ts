import { actionRefs } from '../action-refs.js';
import { clockTime, dateTime, days, timeOf } from '../event-queries.js';
import { evidenceFrom } from '../evidence.js';
import type { Finding, Rule } from '../findings.js';
import { providerProfile } from '../providers/index.js';
import { explainRefreshFailures, latestUnresolved } from '../refresh-failures.js';

export const idleRevoked: Rule = {
  id: 'idle-revoked',
  severity: 'critical',
  check(facts) {
    return facts.connections.flatMap((conn): Finding[] => {
      const latest = latestUnresolved(explainRefreshFailures(facts, conn), 'idle');
      if (!latest) return [];
      const profile = providerProfile(conn.provider);
      const window = profile.idleWindowDays !== undefined ? ` (${profile.displayName} revokes after ${Math.round(profile.idleWindowDays)} days unused)` : '';
      const idle =
        latest.lastUseMs !== undefined
          ? `refresh token unused for ${days(timeOf(latest.failure) - latest.lastUseMs)} days since ${dateTime(latest.lastUseMs)}${window}`
          : `${profile.displayName} says the refresh token expired from inactivity${window}`;
      return [
        {
          id: this.id,
          severity: this.severity,
          conn: conn.name,
          summary: `${conn.name}: ${idle}; refresh at ${clockTime(timeOf(latest.failure))} failed with ${latest.classified.code ?? latest.classified.error}`,
          evidence: [evidenceFrom(latest.failure)],
          actions: actionRefs('relogin', 'keepalive'),
        },
      ];
    });
  },
};
