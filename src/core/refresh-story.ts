import { entryOf, placeOf, pushEarliest, pushLatest } from './bounded.js';
import type { LoggedEvent, ProbeEvent, RefreshEvent } from './events.js';
import type { ProviderOf } from './findings.js';
import { classifyProviderError, type ClassifiedError } from './providers/classify-provider-error.js';
import { clientCauses, loginNeededCauses, providerProfile, type CanonicalCause } from './providers/index.js';
import { isoMs, msOfDays } from './event-queries.js';
import type { Connection, ProviderId } from './state-schema.js';

/**
 * What happened to each connection's refreshes, told once for every refresh rule: why each refresh
 * failed, decided by timing and history rather than by the body alone (the same invalid_grant is a
 * lost race when another process refreshed the same token moments before, an idle revocation when
 * the token sat unused past the provider's window, a revocation otherwise), grouped into episodes
 * that a later success ends (docs/design.md §12).
 *
 * race: another process refreshed the same token within a minute, or this one presented a race
 * winner's new token (the provider revoked the family). grant: the grant was refused (and when an
 * earlier refresh of the same token could not store what the provider gave back, that is why); finish-time
 * facts (the idle window, state.json's last refresh) tell idle from revoked. revoked: an app
 * installation is gone or suspended. client: the client's secret or key was refused, or could not
 * be loaded. other: anything else (network, 5xx, slow_down).
 */
export type FailureKind = 'race' | 'grant' | 'revoked' | 'client' | 'other';
export const failureKinds: readonly FailureKind[] = ['race', 'grant', 'revoked', 'client', 'other'];

export interface ExplainedFailure {
  failure: LoggedEvent<RefreshEvent> | LoggedEvent<ProbeEvent>;
  classified: ClassifiedError;
  kind: FailureKind;
  /** race: the refresh of the same token that succeeded. */
  winner?: LoggedEvent<RefreshEvent>;
  /** race: this failure presented the winner's new token, so the provider revoked the family. */
  afterRace?: boolean;
  /** The latest successful refresh or login in the log before this failure. */
  lastSuccessMs?: number;
  /**
   * grant: an earlier refresh presented the same refresh token, the provider answered it, and its
   * new tokens could not be stored (outcome unpersisted): this failure presented a used token.
   */
  unpersisted?: LoggedEvent<RefreshEvent>;
}

/** One kind of failure over one episode: exact counts, a few failures for evidence. */
export interface FailureGroup {
  kind: FailureKind;
  count: number;
  first: ExplainedFailure;
  last: ExplainedFailure;
  /** The first few failures (a race is told from its start). */
  head: ExplainedFailure[];
  /** The latest few. */
  tail: ExplainedFailure[];
  /** race: the processes of the first race (its winner and the losers that presented the same token). */
  processes: string[];
  /** race: how many races the episode holds (distinct winners). */
  races: number;
  /** race: failures that presented a winner's new token. */
  afterRace: number;
  /** race: where the latest winners are; a winner's own success does not end its race. */
  winners: string[];
  /** Set once a later success ended the episode. */
  resolvedBy?: LoggedEvent;
}

export interface RefreshStory {
  /** Failures since the last success, by kind: what is broken now. */
  open: Partial<Record<FailureKind, FailureGroup>>;
  /** The latest episode of each kind that a success ended. */
  closed: Partial<Record<FailureKind, FailureGroup>>;
  /** The latest successful refresh or login: the refresh token was last proven good then. */
  lastSuccess?: LoggedEvent;
  /** The first time the client was accepted (an ok refresh or token-endpoint probe). */
  firstClientSuccessMs?: number;
}

export const raceWindowMs = 60_000;
const headSize = 6;
const tailSize = 4;
const maxProcesses = 64;
const maxWinnerTokens = 16;
// A winner is settled within a minute of its loser, so only the latest few can still be exempt.
const maxWinnersKept = 16;
// A refresh storm at one instant must not hold the whole log back for the race lookahead.
const maxPending = 4096;
// Refreshes whose new tokens were lost are rare; the latest few are enough to explain the next failure.
const maxUnpersisted = 16;

interface ConnStory extends RefreshStory {
  /** Recent successful refreshes, for a loser logged after its winner. */
  recentOks: Array<LoggedEvent<RefreshEvent>>;
  /** A race winner's new refresh token → the winner: a later failure presenting it lost the family. */
  winnerTokens: Array<[string, LoggedEvent<RefreshEvent>]>;
  /** The latest success that ended each kind's episode. */
  lastRecoveryMs: Partial<Record<FailureKind, number>>;
  /** Recent refreshes the provider answered whose new tokens could not be stored. */
  unpersisted: Array<LoggedEvent<RefreshEvent>>;
}

export interface StoryState {
  conns: Map<string, ConnStory>;
  /** Events held back for a minute, so a loser logged before its winner is still seen as a race. */
  pending: LoggedEvent[];
}

export function startStories(): StoryState {
  return { conns: new Map(), pending: [] };
}

export function observeStories(state: StoryState, logged: LoggedEvent, providers: ProviderOf): void {
  const { event } = logged;
  if (event.event !== 'refresh' && event.event !== 'login' && event.event !== 'probe') return;
  if (event.conn === undefined || !providers.has(event.conn)) return;
  state.pending.push(logged);
  while (state.pending.length > 0 && (logged.t - state.pending[0]!.t > raceWindowMs || state.pending.length > maxPending)) {
    settle(state, providers);
  }
}

/**
 * Every connection's story once the whole log is read; the state is copied, not changed. A failure
 * state.json remembers (lastError) that the window does not hold counts too: it is the reason the
 * connection is broken even when its log line has rotated away or was written on another host.
 */
export function finishStories(state: StoryState, connections: readonly Connection[]): Map<string, RefreshStory> {
  const providers: ProviderOf = new Map(connections.map((c) => [c.name, c.provider]));
  const done = structuredClone(state);
  while (done.pending.length > 0) settle(done, providers);
  for (const conn of connections) recordLastError(done, conn);
  return done.conns;
}

function recordLastError(state: StoryState, conn: Connection): void {
  const error = conn.lastError;
  const at = isoMs(error?.at);
  if (!error || at === undefined) return;
  const story = state.conns.get(conn.name) ?? newStory();
  if ((story.lastSuccess?.t ?? -Infinity) >= at || (isoMs(conn.lastRefreshAt) ?? -Infinity) >= at) return;
  // The log already holds this failure, or a later one.
  if (failureKinds.some((kind) => (story.open[kind]?.last.failure.t ?? -Infinity) >= at - 1000)) return;
  const event: RefreshEvent = { ts: error.at, event: 'refresh', conn: conn.name, outcome: 'error', status: error.status, error: error.error, error_description: error.description, error_code: error.code };
  record(story, explain(story, { event, file: 'state.json lastError', line: 0, t: at }, conn.provider, []));
  state.conns.set(conn.name, story);
}

/** Takes the oldest held-back event into its connection's story; the ones behind it are its lookahead. */
function settle(state: StoryState, providers: ProviderOf): void {
  const logged = state.pending.shift()!;
  const conn = logged.event.conn!;
  const provider = providers.get(conn)!;
  const story = entryOf(state.conns, conn, newStory, providers.size)!;
  const { event } = logged;
  if (event.event === 'login') {
    if (event.outcome === 'ok') succeeded(story, logged, failureKinds);
    return;
  }
  if (event.event === 'probe') {
    const probe = logged as LoggedEvent<ProbeEvent>;
    // A mint for the installation is what a GitHub App's refresh is: its failures are told the same way.
    if (event.check === 'installation') {
      if (event.outcome === 'ok') succeeded(story, logged, failureKinds);
      else record(story, explain(story, probe, provider, []));
      return;
    }
    if (event.check !== 'token-endpoint') return;
    if (event.outcome === 'ok') {
      clientAccepted(story, logged);
      succeeded(story, logged, ['client']);
      return;
    }
    const classified = classifyProviderError(provider, event);
    if (event.error === 'client_secret_unavailable' || clientCauses.has(classified.cause)) record(story, { failure: probe, classified, kind: 'client' });
    return;
  }
  const refresh = logged as LoggedEvent<RefreshEvent>;
  if (refresh.event.outcome === 'ok') {
    clientAccepted(story, logged);
    succeeded(story, logged, failureKinds);
    if (refresh.event.rt_fp !== undefined) pushLatest(story.recentOks, refresh, 256);
    story.recentOks = story.recentOks.filter((ok) => logged.t - ok.t <= 2 * raceWindowMs);
    return;
  }
  if (refresh.event.outcome === 'unpersisted') {
    if (refresh.event.rt_fp !== undefined) pushLatest(story.unpersisted, refresh, maxUnpersisted);
    return;
  }
  record(story, explain(story, refresh, provider, state.pending));
}

function explain(story: ConnStory, failure: LoggedEvent<RefreshEvent> | LoggedEvent<ProbeEvent>, provider: ProviderId, lookahead: LoggedEvent[]): ExplainedFailure {
  const classified = classifyProviderError(provider, failure.event);
  const base = { failure, classified, lastSuccessMs: story.lastSuccess?.t };
  const minted = mintedKind(provider, failure.event, classified.cause);
  if (minted) return { ...base, kind: minted };
  if (clientCauses.has(classified.cause)) return { ...base, kind: 'client' };
  if (!loginNeededCauses.has(classified.cause) || failure.event.event !== 'refresh') return { ...base, kind: 'other' };
  const refresh = failure as LoggedEvent<RefreshEvent>;
  const winner = raceWinner(refresh, story.recentOks) ?? raceWinner(refresh, lookahead);
  if (winner) {
    if (winner.event.new_rt_fp !== undefined && !story.winnerTokens.some(([token]) => token === winner.event.new_rt_fp)) {
      pushLatest(story.winnerTokens, [winner.event.new_rt_fp, winner], maxWinnerTokens);
    }
    return { ...base, kind: 'race', winner };
  }
  const earlier = story.winnerTokens.find(([token]) => token === refresh.event.rt_fp);
  if (earlier) return { ...base, kind: 'race', winner: earlier[1], afterRace: true };
  const unpersisted = lostTokens(refresh, [...story.unpersisted, ...lookahead]);
  return { ...base, kind: 'grant', ...(unpersisted ? { unpersisted } : {}) };
}

/** The latest refresh before the failure that presented the same token and could not store what it got back. */
function lostTokens(failure: LoggedEvent<RefreshEvent>, candidates: LoggedEvent[]): LoggedEvent<RefreshEvent> | undefined {
  let found: LoggedEvent<RefreshEvent> | undefined;
  for (const c of candidates) {
    const e = c.event;
    if (e.event !== 'refresh' || e.outcome !== 'unpersisted' || e.conn !== failure.event.conn || e.rt_fp !== failure.event.rt_fp || c.t > failure.t) continue;
    if (!found || c.t >= found.t) found = c as LoggedEvent<RefreshEvent>;
  }
  return found;
}

/**
 * Failures that are not about a refresh token: the broker could not load the client secret, or a
 * provider without refresh tokens (GitHub App installation tokens, minted with the app's JWT) refused.
 * There "Bad credentials" means the app's key was refused, and 404/suspended means the installation is gone.
 */
function mintedKind(provider: ProviderId, event: RefreshEvent | ProbeEvent, cause: CanonicalCause): FailureKind | undefined {
  if (event.error === 'client_secret_unavailable') return 'client';
  if (providerProfile(provider).refreshTokens !== 'none') return undefined;
  if (cause === 'invalid_grant' || clientCauses.has(cause)) return 'client';
  if (cause === 'account_disabled' || cause === 'consent_revoked' || cause === 'not_found') return 'revoked';
  return 'other';
}

/** An ok refresh that presented the same refresh token within a minute, from another process. */
function raceWinner(failure: LoggedEvent<RefreshEvent>, candidates: LoggedEvent[]): LoggedEvent<RefreshEvent> | undefined {
  const token = failure.event.rt_fp;
  if (token === undefined) return undefined;
  return candidates.find((c): c is LoggedEvent<RefreshEvent> => {
    const e = c.event;
    return e.event === 'refresh' && e.outcome === 'ok' && e.conn === failure.event.conn && e.rt_fp === token && Math.abs(c.t - failure.t) <= raceWindowMs && (e.pid !== failure.event.pid || e.host !== failure.event.host);
  });
}

function record(story: ConnStory, explained: ExplainedFailure): void {
  const { kind } = explained;
  // Logged a little out of order, before a success that came after it: already over.
  const recovered = story.lastRecoveryMs[kind];
  const into = recovered !== undefined && explained.failure.t < recovered ? story.closed : story.open;
  const group = (into[kind] ??= { kind, count: 0, first: explained, last: explained, head: [], tail: [], processes: [], races: 0, afterRace: 0, winners: [] });
  group.count++;
  if (explained.failure.t >= group.last.failure.t) group.last = explained;
  if (explained.failure.t < group.first.failure.t) group.first = explained;
  pushEarliest(group.head, explained, headSize);
  pushLatest(group.tail, explained, tailSize);
  if (explained.winner) {
    const winner = placeOf(explained.winner);
    if (explained.afterRace) group.afterRace++;
    else if (!group.winners.includes(winner)) {
      group.races++;
      pushLatest(group.winners, winner, maxWinnersKept);
    }
    // Counted for the first race only, the one the summary tells: later races are counted as races.
    const firstWinner = group.head.find((f) => f.winner && !f.afterRace)?.winner;
    if (!explained.afterRace && firstWinner && placeOf(firstWinner) === winner) {
      for (const process of [processOf(explained.winner), processOf(explained.failure)]) if (!group.processes.includes(process)) pushEarliest(group.processes, process, maxProcesses);
    }
  }
}

/** A success ends the open episodes of these kinds that started before it. */
function succeeded(story: ConnStory, logged: LoggedEvent, kinds: readonly FailureKind[]): void {
  if (logged.event.event !== 'probe') story.lastSuccess = !story.lastSuccess || logged.t >= story.lastSuccess.t ? logged : story.lastSuccess;
  for (const kind of kinds) {
    const group = story.open[kind];
    if (group?.winners.includes(placeOf(logged))) continue;
    story.lastRecoveryMs[kind] = Math.max(story.lastRecoveryMs[kind] ?? -Infinity, logged.t);
    if (!group || group.first.failure.t > logged.t) continue;
    group.resolvedBy = logged;
    story.closed[kind] = group;
    delete story.open[kind];
  }
}

function clientAccepted(story: ConnStory, logged: LoggedEvent): void {
  story.firstClientSuccessMs = Math.min(story.firstClientSuccessMs ?? Infinity, logged.t);
}

function processOf(logged: LoggedEvent): string {
  return `${logged.event.host ?? '?'}/${logged.event.pid ?? '?'}`;
}

function newStory(): ConnStory {
  return { open: {}, closed: {}, recentOks: [], winnerTokens: [], lastRecoveryMs: {}, unpersisted: [] };
}

// ---- Finish-time questions the refresh rules ask of a story.

/** The latest moment before the failure that its refresh token was used or obtained: the log, the event itself, or state.json. */
export function lastUseBefore(explained: ExplainedFailure, conn: Connection): number | undefined {
  const at = explained.failure.t;
  const event = explained.failure.event;
  const candidates = [explained.lastSuccessMs, isoMs('rt_last_used_at' in event ? event.rt_last_used_at : undefined), isoMs(conn.lastRefreshAt), isoMs(conn.refreshTokenObtainedAt)];
  let latest: number | undefined;
  for (const t of candidates) if (t !== undefined && t < at && (latest === undefined || t > latest)) latest = t;
  return latest;
}

/** A refused grant is an idle revocation when the provider says so, or the token sat unused past its idle window. */
export function isIdleFailure(explained: ExplainedFailure, conn: Connection): boolean {
  if (explained.classified.cause === 'idle_expired') return true;
  const windowDays = providerProfile(conn.provider).idleWindowDays;
  const lastUse = lastUseBefore(explained, conn);
  return windowDays !== undefined && lastUse !== undefined && explained.failure.t - lastUse > msOfDays(windowDays);
}

/** The episode a rule reports: the open one (active) when it passes `accept`, else the latest closed one that does (resolved). */
export function reportedGroup(story: RefreshStory | undefined, kind: FailureKind, accept: (group: FailureGroup) => boolean = () => true): FailureGroup | undefined {
  const open = story?.open[kind];
  if (open && accept(open)) return open;
  const closed = story?.closed[kind];
  return closed && accept(closed) ? closed : undefined;
}
