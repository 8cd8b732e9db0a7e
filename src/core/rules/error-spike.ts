import { entryOf } from '../bounded.js';
import type { LoggedEvent } from '../events.js';
import { evidenceFrom } from '../evidence.js';
import { findingOf } from '../finding-state.js';
import { defineRule, type Finding } from '../findings.js';
import { isRateLimited } from '../request-signals.js';

// The last hour against everything before it in the window. A spike needs enough errors to matter,
// most requests failing, and a rate far above the baseline (rate limits are reported on their own).
const recentMs = 3_600_000;
const minErrors = 10;
const minRate = 0.5;
// The last hour is counted by the minute, so that the state does not depend on when the doctor runs.
const minuteMs = 60_000;
const minutesKept = 62;
// Targets are hosts (api.github.com), not paths: a connection talks to a few.
const maxTargets = 100;
// Evidence is kept per ten minutes (the first error of each), not per request.
const sampleMinutes = 10;

interface MinuteCount {
  requests: number;
  errors: number;
  byStatus: Record<string, number>;
}

interface TargetCounts {
  conn: string;
  target: string;
  /** Requests older than the kept minutes. */
  olderRequests: number;
  olderErrors: number;
  minutes: Map<number, MinuteCount>;
  latestMinute: number;
  /** The first error of each ten minutes kept, and the latest error. */
  firstErrors: Map<number, LoggedEvent>;
  lastError?: LoggedEvent;
}

export const errorSpike = defineRule({
  id: 'error-spike',
  severity: 'warning',
  start: () => new Map<string, TargetCounts>(),
  observe(targets, logged, providers) {
    const { event } = logged;
    if (event.event !== 'request' || event.outcome === 'refused' || event.conn === undefined) return;
    const provider = providers.get(event.conn);
    if (provider === undefined || isRateLimited(provider, event)) return;
    const counts = entryOf(targets, `${event.conn}\u0000${event.target}`, (): TargetCounts => ({ conn: event.conn!, target: event.target, olderRequests: 0, olderErrors: 0, minutes: new Map(), latestMinute: -Infinity, firstErrors: new Map() }), maxTargets);
    if (!counts) return;
    const minute = Math.floor(logged.t / minuteMs);
    if (minute > counts.latestMinute) {
      counts.latestMinute = minute;
      for (const [m, c] of counts.minutes) {
        if (m > minute - minutesKept) continue;
        counts.olderRequests += c.requests;
        counts.olderErrors += c.errors;
        counts.minutes.delete(m);
      }
      for (const block of counts.firstErrors.keys()) if ((block + 1) * sampleMinutes <= minute - minutesKept) counts.firstErrors.delete(block);
    }
    const failed = event.status >= 400;
    if (minute <= counts.latestMinute - minutesKept) {
      counts.olderRequests++;
      if (failed) counts.olderErrors++;
      return;
    }
    let c = counts.minutes.get(minute);
    if (!c) counts.minutes.set(minute, (c = { requests: 0, errors: 0, byStatus: {} }));
    c.requests++;
    if (!failed) return;
    c.errors++;
    c.byStatus[event.status] = (c.byStatus[event.status] ?? 0) + 1;
    const block = Math.floor(minute / sampleMinutes);
    const sample = counts.firstErrors.get(block);
    if (!sample || logged.t < sample.t) counts.firstErrors.set(block, logged);
    if (!counts.lastError || logged.t >= counts.lastError.t) counts.lastError = logged;
  },
  finish(targets, ctx) {
    const now = ctx.now.getTime();
    const names = new Set(ctx.connections.map((c) => c.name));
    return [...targets.values()].flatMap((counts): Finding[] => {
      if (!names.has(counts.conn)) return [];
      // A minute overlapping the last hour counts as recent.
      const recentFrom = Math.floor((now - recentMs) / minuteMs);
      let recent = 0;
      let errors = 0;
      let before = counts.olderRequests;
      let baseErrors = counts.olderErrors;
      const byStatus = new Map<number, number>();
      for (const [minute, c] of counts.minutes) {
        if (minute * minuteMs > now) continue;
        if (minute < recentFrom) {
          before += c.requests;
          baseErrors += c.errors;
          continue;
        }
        recent += c.requests;
        errors += c.errors;
        for (const [status, n] of Object.entries(c.byStatus)) byStatus.set(Number(status), (byStatus.get(Number(status)) ?? 0) + n);
      }
      const inRecent = (e: LoggedEvent) => Math.floor(e.t / minuteMs) >= recentFrom && e.t <= now;
      const firstError = [...counts.firstErrors.values()].filter(inRecent).sort((a, b) => a.t - b.t)[0];
      const lastError = counts.lastError && inRecent(counts.lastError) ? counts.lastError : undefined;
      const rate = recent > 0 ? errors / recent : 0;
      const baseRate = before > 0 ? baseErrors / before : 0;
      if (errors < minErrors || rate < minRate || rate < Math.max(5 * baseRate, baseRate + 0.4)) return [];
      const statuses = [...byStatus].sort((a, b) => b[1] - a[1]).map(([s, n]) => `${s} ×${n}`).join(', ');
      const baseline = before > 0 ? `baseline ${Math.round(baseRate * 100)}% over ${before} requests` : 'no earlier requests in the window';
      const cited = [firstError, lastError].filter((e, i, all): e is LoggedEvent => e !== undefined && all.indexOf(e) === i);
      return [
        findingOf({
          id: 'error-spike',
          severity: 'warning',
          conn: counts.conn,
          subject: counts.target,
          summary: `${counts.conn}: ${errors} of ${recent} requests to ${counts.target} failed in the last hour (${Math.round(rate * 100)}%; ${baseline}): ${statuses}`,
          evidence: cited.map(evidenceFrom),
          actions: [],
        }),
      ];
    });
  },
});
