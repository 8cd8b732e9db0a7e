import { actionRefs } from '../action-refs.js';
import { clockTime, eventsOf, isoMs, timeOf, type Logged } from '../event-queries.js';
import type { ProbeEvent, RefreshEvent, SecretEvent } from '../events.js';
import { evidenceFrom } from '../evidence.js';
import type { Finding, Rule } from '../findings.js';
import type { ClassifiedError } from '../providers/classify-provider-error.js';
import { classifyLogged, explainRefreshFailures, isClientCause } from '../refresh-failures.js';
import type { Connection } from '../state-schema.js';
import type { Facts } from '../findings.js';

interface ClientFailure {
  logged: Logged<RefreshEvent> | Logged<ProbeEvent>;
  classified: ClassifiedError;
}

export const clientSecretRotated: Rule = {
  id: 'client-secret-rotated',
  severity: 'critical',
  check(facts) {
    return facts.connections.flatMap((conn): Finding[] => {
      const failures = clientFailures(facts, conn);
      const first = failures[0];
      const latest = failures.at(-1);
      if (!first || !latest || !workedBefore(facts, conn, timeOf(first.logged))) return [];
      const secrets = eventsOf(facts, 'secret', conn.name).filter((s) => timeOf(s) <= timeOf(latest.logged));
      const loaded = secrets.at(-1);
      const source = conn.clientSecretSource ?? 'its source';
      const rejected = `the token endpoint rejects the client secret since ${clockTime(timeOf(first.logged))} (${latest.classified.code ?? latest.classified.error})`;
      let why: string;
      if (latest.logged.event.error === 'client_secret_unavailable') {
        return [finding(conn, `${conn.name}: the client secret could not be loaded from ${source} since ${clockTime(timeOf(first.logged))}: ${latest.classified.description ?? 'no detail'}`, failures, undefined)];
      }
      if (conn.provider === 'github-app') {
        return [finding(conn, `${conn.name}: GitHub refuses the app's JWT since ${clockTime(timeOf(first.logged))} (${latest.classified.description ?? latest.classified.error}): the app's private key was deleted or regenerated`, failures, undefined, [])];
      }
      if (latest.classified.cause === 'expired_client_secret') why = 'the secret has expired at the provider: create a new one';
      else if (loaded && loaded.event.fp !== conn.clientSecretFp) why = `a different secret (fp ${loaded.event.fp}) was loaded from ${loaded.event.source} at ${clockTime(timeOf(loaded))}; the last one that worked was fp ${conn.clientSecretFp ?? 'unknown'}`;
      else why = `${source} still holds the secret that worked${conn.clientSecretFp ? ` (fp ${conn.clientSecretFp})` : ''}: it was rotated at the provider`;
      return [finding(conn, `${conn.name}: ${rejected}; ${why}`, failures, loaded)];
    });
  },
};

function finding(conn: Connection, summary: string, failures: ClientFailure[], loaded: Logged<SecretEvent> | undefined, actions = actionRefs('reload-secret', 'set-secret')): Finding {
  const cited = [...(loaded ? [loaded] : []), failures[0]!.logged, ...failures.slice(1).slice(-3).map((f) => f.logged)];
  return {
    id: 'client-secret-rotated',
    severity: 'critical',
    conn: conn.name,
    summary,
    evidence: cited.sort((a, b) => timeOf(a) - timeOf(b)).map(evidenceFrom),
    actions,
  };
}

/** Client-authentication failures since the last time the client worked (refreshes and token-endpoint probes). */
function clientFailures(facts: Facts, conn: Connection): ClientFailure[] {
  const fromRefresh = explainRefreshFailures(facts, conn)
    .filter((f) => f.kind === 'client')
    .map((f) => ({ logged: f.failure, classified: f.classified }));
  const probes = eventsOf(facts, 'probe', conn.name).filter((p) => p.event.check === 'token-endpoint');
  const fromProbe = probes
    .filter((p) => p.event.outcome === 'error')
    .map((p) => ({ logged: p, classified: classifyLogged(conn, p.event) }))
    .filter((f) => isClientCause(f.classified.cause));
  const lastOk = clientSuccesses(facts, conn).reduce((a, b) => Math.max(a, b), -1);
  return [...fromRefresh, ...fromProbe].filter((f) => timeOf(f.logged) > lastOk).sort((a, b) => timeOf(a.logged) - timeOf(b.logged));
}

function clientSuccesses(facts: Facts, conn: Connection): number[] {
  const refreshes = eventsOf(facts, 'refresh', conn.name).filter((r) => r.event.outcome === 'ok');
  const probes = eventsOf(facts, 'probe', conn.name).filter((p) => p.event.check === 'token-endpoint' && p.event.outcome === 'ok');
  return [...refreshes, ...probes].map(timeOf);
}

// DESIGN §4: a rotation is a failure after earlier success; a client that never worked is misconfigured.
function workedBefore(facts: Facts, conn: Connection, firstFailureMs: number): boolean {
  const lastRefresh = isoMs(conn.lastRefreshAt);
  return conn.clientSecretFp !== undefined || (lastRefresh !== undefined && lastRefresh < firstFailureMs) || clientSuccesses(facts, conn).some((t) => t < firstFailureMs);
}
