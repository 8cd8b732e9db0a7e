import { actionRefs } from '../action-refs.js';
import { byTime, later, placeOf, pushLatest } from '../bounded.js';
import { clockTime } from '../event-queries.js';
import type { LoggedEvent } from '../events.js';
import { evidenceFrom } from '../evidence.js';
import { findingOf } from '../finding-state.js';
import { defineRule, type Finding } from '../findings.js';
import { classifyProviderError } from '../providers/classify-provider-error.js';

// A provider Date header has one-second resolution and the log time is taken after the answer:
// under 30 s is noise. (oidc-provider tolerates 15 s, GitHub advises iat 60 s in the past.)
const toleranceMs = 30_000;

interface Skew {
  /** Answers that showed the skew: a rejected time-stamped credential, or a Date header far off. */
  signals: LoggedEvent[];
  lastSignal?: LoggedEvent;
  lastRejected?: LoggedEvent;
  /** The latest far-off Date header of a request (it names the host), and of any answer. */
  lastSkewedRequest?: LoggedEvent;
  lastSkewed?: LoggedEvent;
  /** The latest Date header that agreed with the local clock. */
  lastAgreed?: LoggedEvent;
}

export const clockSkew = defineRule({
  id: 'clock-skew',
  severity: 'error',
  start: () => new Map<string, Skew>(),
  observe(skews, logged, providers) {
    const { event } = logged;
    if (event.event !== 'refresh' && event.event !== 'probe' && event.event !== 'request') return;
    const provider = event.conn === undefined ? undefined : providers.get(event.conn);
    if (provider === undefined) return;
    const skew = skews.get(event.conn!) ?? { signals: [] };
    const rejected = event.error !== undefined && classifyProviderError(provider, event).cause === 'clock_skew';
    const offset = offsetMs(logged);
    const skewed = offset !== undefined && Math.abs(offset) > toleranceMs;
    if (offset !== undefined && !skewed) skew.lastAgreed = later(skew.lastAgreed, logged);
    if (rejected) skew.lastRejected = later(skew.lastRejected, logged);
    if (skewed) {
      skew.lastSkewed = later(skew.lastSkewed, logged);
      if (event.event === 'request') skew.lastSkewedRequest = later(skew.lastSkewedRequest, logged);
    }
    if (rejected || skewed) {
      skew.lastSignal = later(skew.lastSignal, logged);
      pushLatest(skew.signals, logged, 4);
    }
    if (skew.lastSignal || skew.lastAgreed) skews.set(event.conn!, skew);
  },
  finish(skews, ctx) {
    return ctx.connections.flatMap((conn): Finding[] => {
      const skew = skews.get(conn.name);
      const last = skew?.lastSignal;
      if (!skew || !last) return [];
      // A later answer whose Date agrees with the local clock means the clock was fixed.
      const fixedBy = skew.lastAgreed && skew.lastAgreed.t > last.t ? skew.lastAgreed : undefined;
      const parts: string[] = [];
      const shown = skew.lastSkewedRequest ?? skew.lastSkewed;
      if (shown) {
        const offset = offsetMs(shown)!;
        const target = shown.event.event === 'request' ? shown.event.target : 'the provider';
        parts.push(`local clock is ${minutesSeconds(Math.abs(offset))} ${offset > 0 ? 'ahead of' : 'behind'} ${target} (Date header at ${clockTime(shown.t)})`);
      }
      if (skew.lastRejected) {
        const c = classifyProviderError(conn.provider, skew.lastRejected.event as { error?: string });
        parts.push(`the provider rejected a time-stamped credential at ${clockTime(skew.lastRejected.t)}: ${c.code ?? c.error}${c.description ? ` "${c.description.slice(0, 80)}"` : ''}`);
      }
      return [
        findingOf(
          {
            id: 'clock-skew',
            severity: 'error',
            conn: conn.name,
            summary: `${conn.name}: ${parts.join('; ')}`,
            // The answers the summary quotes first, then the latest others, at most six.
            evidence: quoted([shown, skew.lastRejected], skew.signals).map(evidenceFrom),
            actions: actionRefs('refresh'),
          },
          fixedBy,
        ),
      ];
    });
  },
});

function quoted(named: Array<LoggedEvent | undefined>, latest: LoggedEvent[]): LoggedEvent[] {
  const chosen = new Map<string, LoggedEvent>();
  for (const l of [...named, ...[...latest].reverse()]) if (l && chosen.size < 6) chosen.set(placeOf(l), l);
  return [...chosen.values()].sort(byTime);
}

/** Local time minus the provider's Date header, in ms; positive when the local clock is ahead. */
function offsetMs(logged: LoggedEvent): number | undefined {
  const date = 'date' in logged.event ? logged.event.date : undefined;
  if (date === undefined) return undefined;
  const provider = Date.parse(date);
  return Number.isNaN(provider) ? undefined : logged.t - provider;
}

/** "4 min 12 s": a clock offset is read against a watch, so seconds matter. */
function minutesSeconds(ms: number): string {
  const total = Math.round(ms / 1000);
  const m = Math.floor(total / 60);
  return m > 0 ? `${m} min ${total % 60} s` : `${total} s`;
}
