import { actionRefs } from '../action-refs.js';
import { clockTime, timeOf, whoDid } from '../event-queries.js';
import { evidenceFrom } from '../evidence.js';
import type { Finding, Rule } from '../findings.js';
import { providerProfile } from '../providers/index.js';
import { explainRefreshFailures } from '../refresh-failures.js';

export const refreshRace: Rule = {
  id: 'refresh-race',
  severity: 'critical',
  check(facts) {
    return facts.connections.flatMap((conn): Finding[] => {
      const races = explainRefreshFailures(facts, conn).filter((f) => f.kind === 'race');
      const first = races.find((r) => !r.afterRace);
      if (!first?.winner) return [];
      const profile = providerProfile(conn.provider);
      const processes = new Set(races.flatMap((r) => [r.failure, r.winner!]).map((l) => `${l.event.host}/${l.event.pid}`)).size;
      const lost = `${whoDid(first.failure.event)} lost with ${first.classified.error}`;
      const lastResolved = races.at(-1)!.resolved;
      // Seen: the winner's own new token failed afterwards. Assumed: the profile says reuse revokes the family.
      const familyGone = races.some((r) => r.afterRace && !r.resolved);
      const familyAtRisk = !familyGone && profile.reuseRevokesFamily && !lastResolved;
      const consequence = familyGone
        ? `; ${profile.displayName} revoked the whole token family, so a new login is needed`
        : familyAtRisk
          ? `; ${profile.displayName} may revoke the whole token family on reuse: if the next refresh fails, log in again`
          : '';
      const winners = new Set(races.map((r) => r.winner!));
      return [
        {
          id: this.id,
          severity: this.severity,
          conn: conn.name,
          summary: `${conn.name}: ${processes} processes refreshed the same token at ${clockTime(timeOf(first.winner))}; ${lost}${consequence}`,
          evidence: [...winners, ...races.map((r) => r.failure)].sort((a, b) => timeOf(a) - timeOf(b)).slice(0, 6).map(evidenceFrom),
          actions: familyGone ? actionRefs('relogin', 'refresh') : actionRefs('refresh', 'relogin'),
        },
      ];
    });
  },
};
