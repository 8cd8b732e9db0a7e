import * as z from 'zod/mini';
import type { BrokerEvent } from './events.js';

// $BROKER_HOME/serve.json: what a running `broker serve` says about itself, so `broker status` and
// `broker env` can find it. Written when it listens, rewritten on a failure, removed when it stops.

const isoTime = z.iso.datetime({ offset: true });

export const ServeRuntimeSchema = z.object({
  pid: z.int().check(z.positive()),
  host: z.string(),
  /** http://127.0.0.1:PORT, or unix:PATH. */
  url: z.string(),
  started: isoTime,
  lastError: z.optional(z.object({ at: isoTime, conn: z.optional(z.string()), message: z.string() })),
});
export type ServeRuntime = z.infer<typeof ServeRuntimeSchema>;

export interface ServeSummary {
  running: boolean;
  pid: number;
  url: string;
  since: string;
  /** Requests and token hand-outs of this serve process in the last hour, per connection. */
  callsLastHour: Record<string, number>;
  lastError: ServeRuntime['lastError'] | null;
}

export const serveActivityWindowMs = 3_600_000;

/**
 * Pure: the summary `broker status` shows. `alive` says whether the process in serve.json still runs
 * (a serve killed with SIGKILL leaves its file behind); calls are counted from the events it wrote.
 */
export function summarizeServe(runtime: ServeRuntime, alive: boolean, events: readonly BrokerEvent[], now: Date): ServeSummary {
  const since = now.getTime() - serveActivityWindowMs;
  const callsLastHour: Record<string, number> = {};
  for (const e of events) {
    if ((e.event !== 'request' && e.event !== 'token') || e.conn === undefined) continue;
    if (e.pid !== runtime.pid || e.host !== runtime.host) continue;
    const t = Date.parse(e.ts);
    if (!(t >= since && t <= now.getTime())) continue;
    callsLastHour[e.conn] = (callsLastHour[e.conn] ?? 0) + 1;
  }
  return { running: alive, pid: runtime.pid, url: runtime.url, since: runtime.started, callsLastHour, lastError: runtime.lastError ?? null };
}
