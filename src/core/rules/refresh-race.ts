import { actionRefs } from '../action-refs.js';
import { byTime } from '../bounded.js';
import { clockTime, whoDid } from '../event-queries.js';
import { evidenceFrom } from '../evidence.js';
import { findingOf } from '../finding-state.js';
import { defineRule, type Finding } from '../findings.js';
import { providerProfile } from '../providers/index.js';
import { reportedGroup } from '../refresh-story.js';

export const refreshRace = defineRule({
  id: 'refresh-race',
  severity: 'critical',
  start: () => null,
  finish(_state, ctx) {
    return ctx.connections.flatMap((conn): Finding[] => {
      const group = reportedGroup(ctx.stories.get(conn.name), 'race');
      const first = group?.head.find((f) => f.winner !== undefined && !f.afterRace);
      if (!group || !first?.winner) return [];
      const active = group.resolvedBy === undefined;
      const profile = providerProfile(conn.provider);
      // Seen: a winner's own new token failed afterwards. Assumed: the profile says reuse revokes the family.
      const familyGone = group.afterRace > 0;
      const consequence = familyGone
        ? `; ${profile.displayName} revoked the whole token family (${group.afterRace} later refresh${group.afterRace === 1 ? '' : 'es'} with the winner's token failed), so a new login is needed`
        : active && profile.reuseRevokesFamily
          ? `; ${profile.displayName} may revoke the whole token family on reuse: if the next refresh fails, log in again`
          : '';
      const cited = group.head.flatMap((f) => (f.winner ? [f.winner, f.failure] : [f.failure]));
      const evidence = [...new Map(cited.map((l) => [`${l.file}:${l.line}`, l])).values()].sort(byTime).slice(0, 6).map(evidenceFrom);
      return [
        findingOf(
          {
            id: 'refresh-race',
            severity: 'critical',
            conn: conn.name,
            summary: `${conn.name}: ${group.processes.length} processes refreshed the same token at ${clockTime(first.winner.t)}; ${whoDid(first.failure.event)} lost with ${first.classified.error}${group.races > 1 ? ` (${group.races} races since, the last at ${clockTime(group.last.failure.t)})` : ''}${consequence}`,
            evidence,
            // Once the winner's token was refused too, a refresh can only fail again: only the login is offered.
            actions: familyGone ? actionRefs('relogin') : actionRefs('refresh', 'relogin'),
          },
          group.resolvedBy,
        ),
      ];
    });
  },
});
