import { actionRefs } from '../action-refs.js';
import { clockTime, dateTime, days } from '../event-queries.js';
import { evidenceFrom } from '../evidence.js';
import { findingOf } from '../finding-state.js';
import { defineRule, type Finding } from '../findings.js';
import { providerProfile } from '../providers/index.js';
import { isIdleFailure, lastUseBefore, reportedGroup } from '../refresh-story.js';

export const idleRevoked = defineRule({
  id: 'idle-revoked',
  severity: 'critical',
  start: () => null,
  finish(_state, ctx) {
    return ctx.connections.flatMap((conn): Finding[] => {
      const group = reportedGroup(ctx.stories.get(conn.name), 'grant', (g) => isIdleFailure(g.last, conn));
      if (!group) return [];
      const latest = group.last;
      const profile = providerProfile(conn.provider);
      const window = profile.idleWindowDays !== undefined ? ` (${profile.displayName} revokes after ${Math.round(profile.idleWindowDays)} days unused)` : '';
      const lastUse = lastUseBefore(latest, conn);
      const idle =
        lastUse !== undefined
          ? `refresh token unused for ${days(latest.failure.t - lastUse)} days since ${dateTime(lastUse)}${window}`
          : `${profile.displayName} says the refresh token expired from inactivity${window}`;
      return [
        findingOf(
          {
            id: 'idle-revoked',
            severity: 'critical',
            conn: conn.name,
            summary: `${conn.name}: ${idle}; refresh at ${clockTime(latest.failure.t)} failed with ${latest.classified.code ?? latest.classified.error}`,
            evidence: [evidenceFrom(latest.failure)],
            // Only a login brings it back: a keep-alive refresh would present the revoked token again.
            actions: actionRefs('relogin'),
          },
          group.resolvedBy,
        ),
      ];
    });
  },
});
