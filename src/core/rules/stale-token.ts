import { actionRefs } from '../action-refs.js';
import { byTime, entryOf, pushLatest, setLatest } from '../bounded.js';
import { clockTime, whoDid } from '../event-queries.js';
import type { LoggedEvent, RefreshEvent, RequestEvent } from '../events.js';
import { evidenceFrom } from '../evidence.js';
import { findingOf } from '../finding-state.js';
import { defineRule, type Finding } from '../findings.js';
import { isSuccess } from '../request-signals.js';

// Fingerprints of the newest generations: an older token than these is stale by any count.
const maxGenerations = 1024;
// A process holds one token at a time; a handful of old ones is already the story.
const maxHolders = 16;
const maxTokensPerHolder = 4;
// finish() asks for the refresh to the current generation: the newest few are enough.
const refreshesKept = 16;

/** 401s one process got with one access token, not yet followed by its success with another. */
interface Rejections {
  fp: string;
  count: number;
  first: LoggedEvent<RequestEvent>;
  latest: Array<LoggedEvent<RequestEvent>>;
  /** The success with another token that showed the holder picked up the refresh. */
  pickedUpBy?: LoggedEvent;
}

interface ConnTokens {
  /** Access-token fingerprint → generation, from hand-outs and refreshes. */
  generations: Map<string, number>;
  /** The first ok refresh to each of the newest generations: when the holders should have moved on. */
  refreshedTo: Map<number, LoggedEvent<RefreshEvent>>;
  /** Per process (pid/host): its 401s by token. */
  holders: Map<string, Map<string, Rejections>>;
  /** The latest rejections a holder got over by using another token. */
  pickedUp: Rejections[];
}

export const staleToken = defineRule({
  id: 'stale-token',
  severity: 'error',
  start: () => new Map<string, ConnTokens>(),
  observe(conns, logged, providers) {
    const { event } = logged;
    if (event.conn === undefined || !providers.has(event.conn)) return;
    const tokens = entryOf(conns, event.conn, () => ({ generations: new Map(), refreshedTo: new Map(), holders: new Map(), pickedUp: [] }), providers.size)!;
    if (event.event === 'token') {
      setLatest(tokens.generations, event.at_fp, event.generation, maxGenerations);
      return;
    }
    if (event.event === 'refresh') {
      if (event.outcome !== 'ok' || event.at_fp === undefined || event.generation === undefined) return;
      setLatest(tokens.generations, event.at_fp, event.generation, maxGenerations);
      if (!tokens.refreshedTo.has(event.generation)) {
        tokens.refreshedTo.set(event.generation, logged as LoggedEvent<RefreshEvent>);
        if (tokens.refreshedTo.size > refreshesKept) tokens.refreshedTo.delete(Math.min(...tokens.refreshedTo.keys()));
      }
      return;
    }
    if (event.event !== 'request' || event.at_fp === undefined) return;
    const holderKey = `${event.pid}/${event.host}`;
    const request = logged as LoggedEvent<RequestEvent>;
    if (event.status === 401) {
      const holder = entryOf(tokens.holders, holderKey, () => new Map<string, Rejections>(), maxHolders);
      const rejections = holder && entryOf(holder, event.at_fp, () => ({ fp: event.at_fp!, count: 0, first: request, latest: [] }), maxTokensPerHolder);
      if (!rejections) return;
      rejections.count++;
      pushLatest(rejections.latest, request, 4);
      return;
    }
    const holder = tokens.holders.get(holderKey);
    if (!holder || !isSuccess(event)) return;
    // The same process succeeding with another token has picked up the refresh.
    for (const [fp, rejections] of holder) {
      if (fp === event.at_fp) continue;
      holder.delete(fp);
      pushLatest(tokens.pickedUp, { ...rejections, pickedUpBy: logged }, 4);
    }
    if (holder.size === 0) tokens.holders.delete(holderKey);
  },
  finish(conns, ctx) {
    return ctx.connections.flatMap((conn): Finding[] => {
      const tokens = conns.get(conn.name);
      if (!tokens) return [];
      const generationOf = (fp: string): number | undefined => (fp === conn.accessTokenFp ? conn.generation : tokens.generations.get(fp));
      const isStale = (r: Rejections) => (generationOf(r.fp) ?? Infinity) < conn.generation;
      const stale = [...tokens.holders.values()].flatMap((holder) => [...holder.values()].filter(isStale));
      const pickedUp = tokens.pickedUp.filter(isStale).at(-1);
      const shown = stale.length > 0 ? stale : pickedUp ? [pickedUp] : [];
      const latest = shown.flatMap((r) => r.latest).sort(byTime);
      const last = latest.at(-1);
      if (!last) return [];
      const first = shown.map((r) => r.first).sort(byTime)[0]!;
      const count = shown.reduce((n, r) => n + r.count, 0);
      const oldGeneration = generationOf(last.event.at_fp!)!;
      const refreshed = tokens.refreshedTo.get(conn.generation);
      const when = refreshed ? ` at ${clockTime(refreshed.t)}` : '';
      const holders = [...new Set(shown.flatMap((r) => r.latest.map((l) => whoDid(l.event))))].join(', ');
      return [
        findingOf(
          {
            id: 'stale-token',
            severity: 'error',
            conn: conn.name,
            summary: `${conn.name}: ${holders} still sends the generation-${oldGeneration} access token (fp ${last.event.at_fp}) after the refresh to generation ${conn.generation}${when}; ${count} request${count === 1 ? '' : 's'} answered 401 since ${clockTime(first.t)}`,
            evidence: [...(refreshed ? [refreshed] : []), ...latest.slice(-4)].map(evidenceFrom),
            actions: actionRefs('restart-holder'),
          },
          stale.length > 0 ? undefined : pickedUp?.pickedUpBy,
        ),
      ];
    });
  },
});
