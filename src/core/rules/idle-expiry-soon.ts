import { actionRefs } from '../action-refs.js';
import { dateTime, days, isoMs, msOfDays } from '../event-queries.js';
import { evidenceFrom } from '../evidence.js';
import { findingOf } from '../finding-state.js';
import { defineRule, type Finding } from '../findings.js';
import { providerProfile } from '../providers/index.js';
import type { FailureKind } from '../refresh-story.js';

const reportedKinds: readonly FailureKind[] = ['race', 'grant', 'revoked', 'client'];

// Warn 14 days ahead, or a quarter of the window when it is short (oidc-provider: 14 days in all).
const maxWarningMs = msOfDays(14);

export const idleExpirySoon = defineRule({
  id: 'idle-expiry-soon',
  severity: 'warning',
  start: () => null,
  finish(_state, ctx) {
    const now = ctx.now.getTime();
    return ctx.connections.flatMap((conn): Finding[] => {
      const windowDays = providerProfile(conn.provider).idleWindowDays;
      if (windowDays === undefined || conn.refreshTokenFp === undefined) return [];
      const story = ctx.stories.get(conn.name);
      // A connection whose refresh token is already refused is reported by the failure rules instead;
      // a refresh that failed for a passing reason (a 503, slow_down) says nothing about idleness.
      if (story && reportedKinds.some((kind) => story.open[kind] !== undefined)) return [];
      const lastSuccess = story?.lastSuccess;
      const lastUse = Math.max(lastSuccess?.t ?? -Infinity, isoMs(conn.lastRefreshAt) ?? -Infinity, isoMs(conn.refreshTokenObtainedAt) ?? -Infinity);
      if (!Number.isFinite(lastUse) || lastUse > now) return [];
      const deadline = lastUse + msOfDays(windowDays);
      const left = deadline - now;
      if (left >= Math.min(maxWarningMs, msOfDays(windowDays) / 4)) return [];
      const when = left > 0 ? `expires from idleness in ${days(left)} days (${dateTime(deadline)})` : `passed its idle window on ${dateTime(deadline)}; the next refresh will likely fail`;
      return [
        findingOf({
          id: 'idle-expiry-soon',
          severity: 'warning',
          conn: conn.name,
          summary: `${conn.name}: refresh token unused since ${dateTime(lastUse)}, ${when}`,
          evidence: lastSuccess && lastSuccess.t === lastUse ? [evidenceFrom(lastSuccess)] : [],
          actions: actionRefs('keepalive'),
        }),
      ];
    });
  },
});
