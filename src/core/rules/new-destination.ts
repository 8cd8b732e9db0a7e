import { actionRefs } from '../action-refs.js';
import { entryOf, pushEarliest } from '../bounded.js';
import { clockTime, hourOf } from '../event-queries.js';
import type { LoggedEvent, RequestEvent } from '../events.js';
import { evidenceFrom } from '../evidence.js';
import { findingOf } from '../finding-state.js';
import { defineRule, type Finding } from '../findings.js';

// "New" means: in the last 24 hours, and not once in the 7 days before them (for the same agent).
// Counted by the hour, so the state does not depend on when the doctor runs.
const recentHours = 24;
const baselineHours = 7 * 24;
const maxPairs = 1000;

interface Destination {
  agent: string;
  target: string;
  /** Hours in which the agent sent anything to the target (the last 8 days of the log). */
  hours: Set<number>;
  /** Per connection, requests per hour over the latest day, and the earliest of them: the evidence if it turns out new. */
  byConn: Map<string, { perHour: Map<number, number>; first: Array<LoggedEvent<RequestEvent>> }>;
}

interface Destinations {
  pairs: Map<string, Destination>;
  /** Per agent, the hours in which it sent anything at all: an agent with no history has nothing to compare with. */
  agentHours: Map<string, Set<number>>;
}

const agentOf = (e: { agent?: string }) => e.agent ?? '(no agent)';

export const newDestination = defineRule({
  id: 'new-destination',
  severity: 'warning',
  start: (): Destinations => ({ pairs: new Map(), agentHours: new Map() }),
  observe(state, logged, providers) {
    const { event } = logged;
    if (event.event !== 'request' || event.conn === undefined || !providers.has(event.conn)) return;
    const agent = agentOf(event);
    const target = event.target.toLowerCase();
    const hour = hourOf(logged.t);
    const pair = entryOf(state.pairs, `${agent}\u0000${target}`, () => ({ agent, target: event.target, hours: new Set<number>(), byConn: new Map() } as Destination), maxPairs);
    if (!pair) return;
    keepRecent(pair.hours, hour);
    const agentHours = state.agentHours.get(agent) ?? new Set<number>();
    keepRecent(agentHours, hour);
    state.agentHours.set(agent, agentHours);
    let seen = pair.byConn.get(event.conn);
    if (!seen) pair.byConn.set(event.conn, (seen = { perHour: new Map(), first: [] }));
    const count = seen.perHour.get(hour);
    seen.perHour.set(hour, (count ?? 0) + 1);
    // Hits are kept from the latest day only: older ones can never be "in the last 24 hours" of a later run.
    // Only a new hour can move that day on, so only then is anything forgotten (most requests fall in a known hour).
    if (count === undefined) {
      const oldest = Math.max(...seen.perHour.keys()) - recentHours;
      for (const h of seen.perHour.keys()) if (h < oldest) seen.perHour.delete(h);
      seen.first = seen.first.filter((f) => hourOf(f.t) >= oldest);
      if (hour < oldest) return;
    }
    pushEarliest(seen.first, logged as LoggedEvent<RequestEvent>, 3);
  },
  finish(state, ctx) {
    const now = hourOf(ctx.now.getTime());
    const names = new Set(ctx.connections.map((c) => c.name));
    const recentFrom = now - recentHours + 1;
    const inBaseline = (h: number) => h < recentFrom && h >= recentFrom - baselineHours;
    return [...state.pairs.values()].flatMap((pair): Finding[] => {
      if (![...(state.agentHours.get(pair.agent) ?? [])].some(inBaseline)) return [];
      if ([...pair.hours].some(inBaseline)) return [];
      return [...pair.byConn].flatMap(([conn, seen]): Finding[] => {
        const hits = seen.first.filter((h) => hourOf(h.t) >= recentFrom && hourOf(h.t) <= now);
        const first = hits[0];
        if (!names.has(conn) || !first) return [];
        let count = 0;
        for (const [h, n] of seen.perHour) if (h >= recentFrom && h <= now) count += n;
        const requestsText = count === 1 ? '1 request' : `${count} requests`;
        return [
          findingOf({
            id: 'new-destination',
            severity: 'warning',
            conn,
            subject: `${pair.agent} → ${pair.target}`,
            summary: `${conn}: agent ${pair.agent} sent ${requestsText} to ${first.event.target}, never seen from it in the previous 7 days (first at ${clockTime(first.t)}, ${first.event.method} ${first.event.path})`,
            evidence: hits.map(evidenceFrom),
            actions: actionRefs('acknowledge'),
          }),
        ];
      });
    });
  },
});

/** Adds the hour and forgets hours older than the baseline of the latest one. */
function keepRecent(hours: Set<number>, hour: number): void {
  hours.add(hour);
  if (hours.size <= recentHours + baselineHours + 2) return;
  const latest = Math.max(...hours);
  for (const h of hours) if (h < latest - recentHours - baselineHours - 1) hours.delete(h);
}
