import { actionRefs } from '../action-refs.js';
import { clockTime, eventsOf, timeOf, type Logged } from '../event-queries.js';
import type { ProbeEvent, RefreshEvent, RequestEvent } from '../events.js';
import { evidenceFrom } from '../evidence.js';
import type { Finding, Rule } from '../findings.js';
import { classifyLogged } from '../refresh-failures.js';

// A provider Date header has one-second resolution and the log time is taken after the answer:
// under 30 s is noise. (oidc-provider tolerates 15 s, GitHub advises iat 60 s in the past.)
const toleranceMs = 30_000;

type Answer = Logged<RefreshEvent> | Logged<ProbeEvent> | Logged<RequestEvent>;

export const clockSkew: Rule = {
  id: 'clock-skew',
  severity: 'error',
  check(facts) {
    return facts.connections.flatMap((conn): Finding[] => {
      const answers: Answer[] = [...eventsOf(facts, 'refresh', conn.name), ...eventsOf(facts, 'probe', conn.name), ...eventsOf(facts, 'request', conn.name)].sort((a, b) => timeOf(a) - timeOf(b));
      const rejected = answers.filter((a) => a.event.error !== undefined && classifyLogged(conn, a.event).cause === 'clock_skew');
      const offsets = new Map<Answer, number>();
      for (const a of answers) {
        const offset = offsetMs(a);
        if (offset !== undefined) offsets.set(a, offset);
      }
      const dated = [...offsets.keys()];
      const skewed = dated.filter((a) => Math.abs(offsets.get(a)!) > toleranceMs);
      const signals = [...rejected, ...skewed].sort((a, b) => timeOf(a) - timeOf(b));
      const last = signals.at(-1);
      if (!last) return [];
      // A later answer whose Date agrees with the local clock means the clock was fixed.
      if (dated.some((a) => timeOf(a) > timeOf(last) && Math.abs(offsets.get(a)!) <= toleranceMs)) return [];
      // Name the host whose Date header showed it, when a request did.
      const lastSkew = skewed.filter((a) => 'target' in a.event).at(-1) ?? skewed.at(-1);
      const parts: string[] = [];
      if (lastSkew) {
        const offset = offsets.get(lastSkew)!;
        const target = 'target' in lastSkew.event ? lastSkew.event.target : 'the provider';
        parts.push(`local clock is ${minutesSeconds(Math.abs(offset))} ${offset > 0 ? 'ahead of' : 'behind'} ${target} (Date header at ${clockTime(timeOf(lastSkew))})`);
      }
      const lastRejected = rejected.at(-1);
      if (lastRejected) {
        const c = classifyLogged(conn, lastRejected.event);
        parts.push(`the provider rejected a time-stamped credential at ${clockTime(timeOf(lastRejected))}: ${c.code ?? c.error}${c.description ? ` "${c.description.slice(0, 80)}"` : ''}`);
      }
      return [
        {
          id: this.id,
          severity: this.severity,
          conn: conn.name,
          summary: `${conn.name}: ${parts.join('; ')}`,
          evidence: signals.slice(-4).map(evidenceFrom),
          actions: actionRefs('refresh'),
        },
      ];
    });
  },
};

/** Local time minus the provider's Date header, in ms; positive when the local clock is ahead. */
function offsetMs(answer: Answer): number | undefined {
  const date = 'date' in answer.event ? answer.event.date : undefined;
  if (date === undefined) return undefined;
  const provider = Date.parse(date);
  return Number.isNaN(provider) ? undefined : timeOf(answer) - provider;
}

/** "4 min 12 s": a clock offset is read against a watch, so seconds matter. */
function minutesSeconds(ms: number): string {
  const total = Math.round(ms / 1000);
  const m = Math.floor(total / 60);
  return m > 0 ? `${m} min ${total % 60} s` : `${total} s`;
}
