import { actionRefs } from '../action-refs.js';
import { clockTime, eventsOf, timeOf, whoDid } from '../event-queries.js';
import { evidenceFrom } from '../evidence.js';
import type { Finding, Rule } from '../findings.js';

export const staleToken: Rule = {
  id: 'stale-token',
  severity: 'error',
  check(facts) {
    return facts.connections.flatMap((conn): Finding[] => {
      // Which generation each access token fingerprint belongs to, from hand-outs and refreshes.
      const generationOf = new Map<string, number>();
      for (const t of eventsOf(facts, 'token', conn.name)) generationOf.set(t.event.at_fp, t.event.generation);
      for (const r of eventsOf(facts, 'refresh', conn.name)) {
        if (r.event.outcome === 'ok' && r.event.at_fp !== undefined && r.event.generation !== undefined) generationOf.set(r.event.at_fp, r.event.generation);
      }
      if (conn.accessTokenFp !== undefined) generationOf.set(conn.accessTokenFp, conn.generation);
      const stale: typeof requests = [];
      const requests = eventsOf(facts, 'request', conn.name);
      // Walking backwards: which tokens each process later used successfully.
      const laterSuccesses = new Map<string, Set<string | undefined>>();
      for (let i = requests.length - 1; i >= 0; i--) {
        const r = requests[i]!;
        const holder = `${r.event.pid}/${r.event.host}`;
        const fp = r.event.at_fp;
        const generation = fp === undefined ? undefined : generationOf.get(fp);
        const used = laterSuccesses.get(holder);
        if (r.event.status === 401 && generation !== undefined && generation < conn.generation) {
          // The same process later succeeding with another token has picked up the refresh.
          const pickedUp = used !== undefined && [...used].some((other) => other !== fp);
          if (!pickedUp) stale.push(r);
        }
        if (r.event.status < 400 && r.event.error === undefined) laterSuccesses.set(holder, (used ?? new Set()).add(fp));
      }
      stale.reverse();
      const first = stale[0];
      const last = stale.at(-1);
      if (!first || !last) return [];
      const oldGeneration = generationOf.get(last.event.at_fp!)!;
      const refreshed = eventsOf(facts, 'refresh', conn.name).filter((r) => r.event.outcome === 'ok' && r.event.generation === conn.generation).at(0);
      const when = refreshed ? ` at ${clockTime(timeOf(refreshed))}` : '';
      const holders = [...new Set(stale.map((s) => whoDid(s.event)))].join(', ');
      return [
        {
          id: this.id,
          severity: this.severity,
          conn: conn.name,
          summary: `${conn.name}: ${holders} still sends the generation-${oldGeneration} access token (fp ${last.event.at_fp}) after the refresh to generation ${conn.generation}${when}; ${stale.length} request${stale.length === 1 ? '' : 's'} answered 401 since ${clockTime(timeOf(first))}`,
          evidence: [...(refreshed ? [refreshed] : []), ...stale.slice(-4)].map(evidenceFrom),
          actions: actionRefs('restart-holder'),
        },
      ];
    });
  },
};
