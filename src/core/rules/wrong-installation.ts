import { actionRefs } from '../action-refs.js';
import { byTime, entryOf, pushLatest } from '../bounded.js';
import { clockTime, whoDid } from '../event-queries.js';
import type { LoggedEvent, RequestEvent } from '../events.js';
import { evidenceFrom } from '../evidence.js';
import { findingOf } from '../finding-state.js';
import { defineRule, type Finding } from '../findings.js';
import { githubOwnerOf, githubRepoOf, isSuccess } from '../request-signals.js';

// 404 is GitHub's answer for a repository outside the installation; 422 when a token is minted for
// one; refused when the broker saw it coming and did not send it.
const notAccessible = /not accessible to the parent installation/i;
const maxOwners = 1000;

/** The requests of one GitHub App connection for one owner's repositories that the installation could not serve. */
interface OwnerMisses {
  conn: string;
  owner: string;
  count: number;
  /** The broker refused, or GitHub named the installation: an installation problem even for the owner the connection is bound to now. */
  certain: boolean;
  latest: Array<LoggedEvent<RequestEvent>>;
  /** A later success for the same owner (after a rebind). */
  servedBy?: LoggedEvent;
}

export const wrongInstallation = defineRule({
  id: 'wrong-installation',
  severity: 'error',
  start: () => new Map<string, OwnerMisses>(),
  observe(owners, logged, providers) {
    const { event } = logged;
    if (event.event !== 'request' || event.conn === undefined || providers.get(event.conn) !== 'github-app') return;
    const owner = githubOwnerOf(event.path);
    if (owner === undefined) return;
    const key = `${event.conn}\u0000${owner.toLowerCase()}`;
    const refusedAsOther = event.outcome === 'refused' && event.reason === 'wrong-installation';
    const missed = refusedAsOther || event.status === 404 || (event.status === 422 && notAccessible.test(event.error_description ?? ''));
    if (missed) {
      let entry = entryOf(owners, key, () => ({ conn: event.conn!, owner, count: 0, certain: false, latest: [] }), maxOwners);
      if (!entry) return;
      if (entry.servedBy && entry.servedBy.t < logged.t) owners.set(key, (entry = { conn: event.conn, owner, count: 0, certain: false, latest: [] }));
      entry.count++;
      if (refusedAsOther || event.status === 422) entry.certain = true;
      pushLatest(entry.latest, logged as LoggedEvent<RequestEvent>, 5);
      return;
    }
    const entry = owners.get(key);
    if (entry && isSuccess(event) && entry.latest.some((m) => m.t < logged.t)) entry.servedBy = logged;
  },
  finish(owners, ctx) {
    return ctx.connections.flatMap((conn): Finding[] => {
      const installation = conn.installation;
      if (conn.provider !== 'github-app' || !installation) return [];
      // A 404 on the installation's own owner is a missing repository, not a wrong installation; a
      // refusal for the owner it is bound to now was one, before a rebind.
      const boundTo = (o: OwnerMisses) => o.owner.toLowerCase() === installation.account.toLowerCase();
      const mine = [...owners.values()].filter((o) => o.conn === conn.name && (!boundTo(o) || (o.certain && o.servedBy)));
      const open = mine.filter((o) => !o.servedBy);
      const shown = open.length > 0 ? open : mine;
      const misses = shown.flatMap((o) => o.latest).sort(byTime);
      const last = misses.at(-1);
      if (!last) return [];
      const count = shown.reduce((n, o) => n + o.count, 0);
      const requests = count === 1 ? '1 request' : `${count} requests`;
      const answered = last.event.outcome === 'refused' ? 'were refused by the broker' : `answered ${last.event.status}`;
      const servedBy = open.length > 0 ? undefined : mine.map((o) => o.servedBy!).sort(byTime).at(-1);
      const rebound = shown.some((o) => o.owner.toLowerCase() === installation.account.toLowerCase());
      const binding = rebound ? `it is now bound to installation ${installation.id} of ${installation.account}` : `installation ${installation.id} belongs to ${installation.account}`;
      return [
        findingOf(
          {
            id: 'wrong-installation',
            severity: 'error',
            conn: conn.name,
            // The repository a rebind must cover: the latest one refused.
            ...(githubRepoOf(last.event.path) ? { subject: githubRepoOf(last.event.path) } : {}),
            summary: `${conn.name}: ${requests} for repositories of ${shown.map((o) => o.owner).join(', ')} ${answered} (last ${last.event.method} ${last.event.path} at ${clockTime(last.t)} by ${whoDid(last.event)}); ${binding}`,
            evidence: misses.slice(-5).map(evidenceFrom),
            actions: actionRefs('rebind-installation'),
          },
          servedBy,
        ),
      ];
    });
  },
});
