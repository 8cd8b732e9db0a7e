import { actionRefs } from '../action-refs.js';
import { byTime, placeOf, pushLatest } from '../bounded.js';
import { clockTime, isoMs } from '../event-queries.js';
import type { LoggedEvent, SecretEvent } from '../events.js';
import { evidenceFrom } from '../evidence.js';
import { findingOf, type FindingBase } from '../finding-state.js';
import { defineRule, type ActionRef, type Finding } from '../findings.js';
import { reportedGroup, type FailureGroup, type RefreshStory } from '../refresh-story.js';
import type { Connection } from '../state-schema.js';

const secretsKept = 8;

export const clientSecretRotated = defineRule({
  id: 'client-secret-rotated',
  severity: 'critical',
  /** The latest `secret` events of each connection: which secret was loaded from where, and when. */
  start: () => new Map<string, Array<LoggedEvent<SecretEvent>>>(),
  observe(secrets, logged, providers) {
    const { event } = logged;
    if (event.event !== 'secret' || event.conn === undefined || !providers.has(event.conn)) return;
    const list = secrets.get(event.conn) ?? [];
    pushLatest(list, logged as LoggedEvent<SecretEvent>, secretsKept);
    secrets.set(event.conn, list);
  },
  finish(secrets, ctx) {
    return ctx.connections.flatMap((conn): Finding[] => {
      const story = ctx.stories.get(conn.name);
      const group = reportedGroup(story, 'client');
      if (!group) return [];
      const first = group.first;
      const latest = group.last;
      const since = clockTime(first.failure.t);
      if (latest.failure.event.error === 'client_secret_unavailable') {
        return [finding(conn, group, `${conn.name}: the client secret could not be loaded from ${conn.clientSecretSource ?? 'its source'} since ${since}: ${latest.classified.description ?? 'no detail'}`, undefined)];
      }
      if (conn.provider === 'github-app') {
        return [finding(conn, group, `${conn.name}: GitHub refuses the app's JWT since ${since} (${latest.classified.description ?? latest.classified.error}): the app's private key was deleted or regenerated`, undefined, [])];
      }
      const loaded = (secrets.get(conn.name) ?? []).filter((s) => s.t <= latest.failure.t).at(-1);
      const rejected = `the token endpoint rejects the client secret since ${since} (${latest.classified.code ?? latest.classified.error})`;
      let why: string;
      // A client that never worked was not rotated: its id or secret was wrong from the start, and it is just as broken.
      if (!workedBefore(story!, conn, first.failure.t)) why = 'it has never accepted this client: the client id or the secret was wrong from the start';
      else if (latest.classified.cause === 'expired_client_secret') why = 'the secret has expired at the provider: create a new one';
      else if (loaded && loaded.event.fp !== conn.clientSecretFp) why = `a different secret (fp ${loaded.event.fp}) was loaded from ${loaded.event.source} at ${clockTime(loaded.t)}; the last one that worked was fp ${conn.clientSecretFp ?? 'unknown'}`;
      else why = `${conn.clientSecretSource ?? 'its source'} still holds the secret that worked${conn.clientSecretFp ? ` (fp ${conn.clientSecretFp})` : ''}: it was rotated at the provider`;
      return [finding(conn, group, `${conn.name}: ${rejected}; ${why}`, loaded)];
    });
  },
});

function finding(conn: Connection, group: FailureGroup, summary: string, loaded: LoggedEvent<SecretEvent> | undefined, actions: ActionRef[] = actionRefs('reload-secret', 'set-secret')): Finding {
  const failures = [group.first, ...group.tail.filter((f) => placeOf(f.failure) !== placeOf(group.first.failure)).slice(-3)];
  const cited = [...(loaded ? [loaded] : []), ...failures.map((f) => f.failure)].sort(byTime);
  const base: FindingBase = { id: 'client-secret-rotated', severity: 'critical', conn: conn.name, summary, evidence: cited.map(evidenceFrom), actions };
  return findingOf(base, group.resolvedBy);
}

// A rotation is a failure after earlier success; a client that never worked is misconfigured.
function workedBefore(story: RefreshStory, conn: Connection, firstFailureMs: number): boolean {
  const lastRefresh = isoMs(conn.lastRefreshAt);
  return conn.clientSecretFp !== undefined || (lastRefresh !== undefined && lastRefresh < firstFailureMs) || (story.firstClientSuccessMs ?? Infinity) < firstFailureMs;
}
