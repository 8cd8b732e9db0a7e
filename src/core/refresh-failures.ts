import type { LoggedEvent, RefreshEvent } from './events.js';
import { eventsOf, isoMs, latestTime, msOfDays, timeOf, type Logged } from './event-queries.js';
import type { Facts } from './findings.js';
import { classifyProviderError, type ClassifiedError } from './providers/classify-provider-error.js';
import { providerProfile } from './providers/index.js';
import type { CanonicalCause } from './providers/causes.js';
import type { Connection } from './state-schema.js';

/**
 * Why a refresh failed, decided by timing and history rather than by the body alone: the same
 * invalid_grant means a lost race when another process refreshed the same token moments before,
 * an idle revocation when the token sat unused past the provider's window, a revocation otherwise.
 */
export type RefreshFailureKind = 'race' | 'idle' | 'revoked' | 'client' | 'other';

export interface ExplainedFailure {
  failure: Logged<RefreshEvent>;
  classified: ClassifiedError;
  kind: RefreshFailureKind;
  /** race: the refresh with the same token that succeeded. */
  winner?: Logged<RefreshEvent>;
  /** race: this failure presented the winner's new token (the provider revoked the family). */
  afterRace?: boolean;
  /** When the refresh token was last used or obtained before this failure. */
  lastUseMs?: number;
  /** A later refresh or login succeeded: the connection recovered. */
  resolved: boolean;
}

export const raceWindowMs = 60_000;

const grantCauses: ReadonlySet<CanonicalCause> = new Set(['invalid_grant', 'refresh_reuse', 'idle_expired', 'consent_revoked', 'account_disabled']);
const clientCauses: ReadonlySet<CanonicalCause> = new Set(['invalid_client', 'expired_client_secret']);

export function classifyLogged(conn: Connection, event: { status?: number; error?: string; error_description?: string; error_code?: string }): ClassifiedError {
  return classifyProviderError(conn.provider, { status: event.status, error: event.error, error_description: event.error_description, error_code: event.error_code });
}

export function isClientCause(cause: CanonicalCause): boolean {
  return clientCauses.has(cause);
}

// Several rules ask the same question of the same facts: answer it once per Facts and connection.
const explanations = new WeakMap<Facts, Map<string, ExplainedFailure[]>>();

/** Every failed refresh of a connection in the window, oldest first, with its explanation. */
export function explainRefreshFailures(facts: Facts, conn: Connection): ExplainedFailure[] {
  let byConn = explanations.get(facts);
  if (!byConn) explanations.set(facts, (byConn = new Map()));
  let explained = byConn.get(conn.name);
  if (!explained) byConn.set(conn.name, (explained = explain(facts, conn)));
  return explained;
}

function explain(facts: Facts, conn: Connection): ExplainedFailure[] {
  const refreshes = eventsOf(facts, 'refresh', conn.name);
  const okLogins = eventsOf(facts, 'login', conn.name).filter((l) => l.event.outcome === 'ok');
  const successes = refreshes.filter((r) => r.event.outcome === 'ok');
  const recoveries = [...successes, ...okLogins].sort((a, b) => timeOf(a) - timeOf(b));
  const lastRecovery = latestTime(recoveries);
  const successesByToken = groupBy(successes, (s) => s.event.rt_fp);
  const raceByWinnerToken = new Map<string, ExplainedFailure>();
  const idleWindowDays = providerProfile(conn.provider).idleWindowDays;
  const explained: ExplainedFailure[] = [];

  for (const failure of refreshes.filter((r) => r.event.outcome === 'error')) {
    const at = timeOf(failure);
    const classified = classifyLogged(conn, failure.event);
    const resolved = lastRecovery > at;
    const base = { failure, classified, resolved };
    const minted = mintedKind(conn, failure.event, classified.cause);
    if (minted) {
      explained.push({ ...base, kind: minted });
      continue;
    }
    if (isClientCause(classified.cause)) {
      explained.push({ ...base, kind: 'client' });
      continue;
    }
    if (!grantCauses.has(classified.cause)) {
      explained.push({ ...base, kind: 'other' });
      continue;
    }
    const winner = raceWinner(successesByToken.get(failure.event.rt_fp ?? '') ?? [], failure);
    if (winner) {
      const race: ExplainedFailure = { ...base, kind: 'race', winner };
      if (winner.event.new_rt_fp !== undefined && !raceByWinnerToken.has(winner.event.new_rt_fp)) raceByWinnerToken.set(winner.event.new_rt_fp, race);
      explained.push(race);
      continue;
    }
    const earlier = raceByWinnerToken.get(failure.event.rt_fp ?? '');
    if (earlier) {
      explained.push({ ...base, kind: 'race', winner: earlier.winner, afterRace: true });
      continue;
    }
    const lastUseMs = lastRefreshTokenUse(conn, latestBefore(recoveries, at), at);
    const idle = classified.cause === 'idle_expired' || (idleWindowDays !== undefined && lastUseMs !== undefined && at - lastUseMs > msOfDays(idleWindowDays));
    explained.push({ ...base, kind: idle ? 'idle' : 'revoked', lastUseMs });
  }
  return explained;
}

/**
 * Failures that are not about a refresh token: the broker could not load the client secret, or a
 * provider without refresh tokens (GitHub App installation tokens, minted with the app's JWT) refused.
 * There "Bad credentials" means the app's key was refused, and 404/suspended means the installation is gone.
 */
function mintedKind(conn: Connection, event: RefreshEvent, cause: CanonicalCause): RefreshFailureKind | undefined {
  if (event.error === 'client_secret_unavailable') return 'client';
  if (providerProfile(conn.provider).refreshTokens !== 'none') return undefined;
  if (cause === 'invalid_grant' || isClientCause(cause)) return 'client';
  if (cause === 'account_disabled' || cause === 'consent_revoked' || cause === 'not_found') return 'revoked';
  return 'other';
}

/** An ok refresh that presented the same refresh token within a minute, from another process. */
function raceWinner(sameToken: Array<Logged<RefreshEvent>>, failure: Logged<RefreshEvent>): Logged<RefreshEvent> | undefined {
  if (failure.event.rt_fp === undefined) return undefined;
  const at = timeOf(failure);
  return sameToken.find((s) => Math.abs(timeOf(s) - at) <= raceWindowMs && (s.event.pid !== failure.event.pid || s.event.host !== failure.event.host));
}

/** The last event before `ms` in a time-sorted list (binary search: a broken connection can retry thousands of times). */
function latestBefore(sorted: LoggedEvent[], ms: number): LoggedEvent[] {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (timeOf(sorted[mid]!) < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? [sorted[lo - 1]!] : [];
}

function groupBy<T>(items: T[], keyOf: (item: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    if (key === undefined) continue;
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/** The latest moment before `beforeMs` that the refresh token was obtained or used, from the log and state.json. */
export function lastRefreshTokenUse(conn: Connection, successes: LoggedEvent[], beforeMs: number): number | undefined {
  let latest: number | undefined;
  const consider = (t: number | undefined) => {
    if (t !== undefined && t < beforeMs && (latest === undefined || t > latest)) latest = t;
  };
  for (const s of successes) consider(timeOf(s));
  consider(isoMs(conn.lastRefreshAt));
  consider(isoMs(conn.refreshTokenObtainedAt));
  return latest;
}

/** The latest unresolved failure of a kind, for rules that report the connection's current breakage. */
export function latestUnresolved(failures: ExplainedFailure[], kind: RefreshFailureKind): ExplainedFailure | undefined {
  return failures.filter((f) => f.kind === kind && !f.resolved).at(-1);
}
