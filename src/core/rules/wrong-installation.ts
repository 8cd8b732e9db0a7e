import { actionRefs } from '../action-refs.js';
import { clockTime, eventsOf, timeOf, whoDid } from '../event-queries.js';
import { evidenceFrom } from '../evidence.js';
import type { Finding, Rule } from '../findings.js';
import { githubOwnerOf } from '../request-signals.js';

// 404 is GitHub's answer for a repository outside the installation; 422 when a token is minted for one.
const notAccessible = /not accessible to the parent installation/i;

export const wrongInstallation: Rule = {
  id: 'wrong-installation',
  severity: 'error',
  check(facts) {
    return facts.connections.flatMap((conn): Finding[] => {
      const installation = conn.installation;
      if (conn.provider !== 'github-app' || !installation) return [];
      const misses = eventsOf(facts, 'request', conn.name).filter((r) => {
        const owner = githubOwnerOf(r.event.path);
        const outside = owner !== undefined && owner.toLowerCase() !== installation.account.toLowerCase();
        return outside && (r.event.status === 404 || (r.event.outcome === 'refused' && r.event.reason === 'wrong-installation') || (r.event.status === 422 && notAccessible.test(r.event.error_description ?? '')));
      });
      const last = misses.at(-1);
      if (!last) return [];
      const owners = [...new Set(misses.map((m) => githubOwnerOf(m.event.path)))].join(', ');
      const requests = misses.length === 1 ? '1 request' : `${misses.length} requests`;
      return [
        {
          id: this.id,
          severity: this.severity,
          conn: conn.name,
          summary: `${conn.name}: ${requests} for repositories of ${owners} answered ${last.event.status} (last ${last.event.method} ${last.event.path} at ${clockTime(timeOf(last))} by ${whoDid(last.event)}); installation ${installation.id} belongs to ${installation.account}`,
          evidence: misses.slice(-5).map(evidenceFrom),
          actions: actionRefs('rebind-installation'),
        },
      ];
    });
  },
};
