import { actionRefs } from '../action-refs.js';
import { byTime } from '../bounded.js';
import type { LoggedEvent, RefreshEvent } from '../events.js';
import { clockTime, isoMs, msOfDays, whoDid } from '../event-queries.js';
import { evidenceFrom } from '../evidence.js';
import { findingOf } from '../finding-state.js';
import { defineRule, type Finding } from '../findings.js';
import { isIdleFailure, reportedGroup, type ExplainedFailure } from '../refresh-story.js';
import type { Connection } from '../state-schema.js';

const why: Record<string, string> = {
  consent_revoked: 'access was revoked (consent withdrawn or password reset)',
  account_disabled: 'the account is disabled',
  refresh_reuse: 'the provider saw a used refresh token again',
};

export const refreshTokenRevoked = defineRule({
  id: 'refresh-token-revoked',
  severity: 'critical',
  start: () => null,
  finish(_state, ctx) {
    return ctx.connections.flatMap((conn): Finding[] => {
      const story = ctx.stories.get(conn.name);
      if (conn.provider === 'github-app') {
        const group = reportedGroup(story, 'revoked');
        if (!group) return [];
        const latest = group.last;
        const owner = conn.installation?.account ?? 'the installation';
        return [
          findingOf(
            {
              id: 'refresh-token-revoked',
              severity: 'critical',
              conn: conn.name,
              summary: `${conn.name}: GitHub refused to mint an installation token at ${clockTime(latest.failure.t)} (${latest.failure.event.status ?? '?'}: ${(latest.classified.description ?? latest.classified.error).slice(0, 120)}): an owner of ${owner} must unsuspend or reinstall the app`,
              evidence: [evidenceFrom(latest.failure)],
              actions: [],
            },
            group.resolvedBy,
          ),
        ];
      }
      const group = reportedGroup(story, 'grant', (g) => !isIdleFailure(g.last, conn));
      if (!group) return [];
      const latest = group.last;
      // The first failure after a lost store is the one that presented the used token; later ones only repeat it.
      const lost = group.head.find((f) => f.unpersisted)?.unpersisted ?? latest.unpersisted;
      const reason = (lost && unpersistedReason(lost)) ?? testingModeHint(conn, latest) ?? why[latest.classified.cause] ?? 'the provider revoked or expired the refresh token';
      const times = group.count === 1 ? '' : ` (${group.count} refreshes failed since ${clockTime(group.first.failure.t)})`;
      const cited = lost ? [lost, ...group.tail.map((f) => f.failure)].sort(byTime) : group.tail.map((f) => f.failure);
      return [
        findingOf(
          {
            id: 'refresh-token-revoked',
            severity: 'critical',
            conn: conn.name,
            summary: `${conn.name}: refresh at ${clockTime(latest.failure.t)} by ${whoDid(latest.failure.event)} failed with ${latest.classified.error}${times}: ${reason}; no race, not idle`,
            evidence: cited.map(evidenceFrom),
            actions: actionRefs('relogin'),
          },
          group.resolvedBy,
        ),
      ];
    });
  },
});

// A refresh the provider answered but whose new tokens were never stored (the database went away,
// or the process died in between) leaves the used refresh token in the store: where the provider
// rotates and revokes on reuse, the next refresh is refused for that reason, not a revocation by anyone.
function unpersistedReason(lost: LoggedEvent<RefreshEvent>): string {
  return `the refresh at ${clockTime(lost.t)} by ${whoDid(lost.event)} got new tokens that could not be stored (refresh unpersisted${lost.event.error_description ? `: ${lost.event.error_description.slice(0, 120)}` : ''}), so this refresh presented the refresh token already used then`;
}

// Google drops refresh tokens of External apps in "Testing" 7 days after consent, with the same
// invalid_grant body as every other revocation: the timing is the only tell.
function testingModeHint(conn: Connection, failure: ExplainedFailure): string | undefined {
  const consent = isoMs(conn.refreshTokenObtainedAt);
  if (conn.provider !== 'google' || consent === undefined) return undefined;
  const age = failure.failure.t - consent;
  if (age < msOfDays(7) || age > msOfDays(8)) return undefined;
  return 'it is 7 days after consent, the lifetime Google gives apps in "Testing" mode: publish the OAuth app (or make it Internal), then log in again';
}
