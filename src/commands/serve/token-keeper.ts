import { BrokerError } from '../../core/broker-error.js';
import { backoffDelayMs, lastingFailureBackoff, passingFailureBackoff } from '../../core/backoff.js';
import { exitCodes } from '../../core/exit-codes.js';
import { fingerprint } from '../../core/fingerprint.js';
import type { Connection } from '../../core/state-schema.js';
import type { TokenBundle } from '../../core/token-bundle.js';
import { InstallationTokenError, installationTokenFor, installationTokenIsFresh } from '../../adapters/github-app-token.js';
import { RefreshRefusedError, refreshUnderLock } from '../../adapters/refresh-under-lock.js';
import type { Deps } from '../deps.js';
import { readSettled, refreshIsDue, refusedGrantMessage } from '../token.js';
import { classifyProviderError } from '../../core/providers/classify-provider-error.js';
import { grantRefusedSinceLastSuccess } from '../../core/refused-grant.js';

// The tokens `broker serve` injects and hands out. The hot path is a map lookup: a token is kept in
// memory while state.json still names it (its fingerprint) and 75% of its life is not gone. Anything
// else goes through the CLI's own serialised refresh (refreshUnderLock: the connection's lock, shared
// with every CLI process), and concurrent callers inside serve wait on one promise per connection.
// A refresh that fails is not retried on every call: the connection backs off (exponential, jittered)
// until its time comes again or state.json shows that a login or a fix landed.

export interface HeldToken {
  accessToken: string;
  fp: string;
  expiresAt?: string;
  generation: number;
  /** When the keychain was last read for it (ms): the store is re-checked at least every revalidateMs. */
  checkedAt: number;
  /** When it must be renewed (ms): 75% of its life, computed once rather than on every call. */
  dueAt: number;
  /** Set when the refresh is failing but this token still works: what the caller should know. */
  warning?: string;
}

/** Why serve cannot hand out a token for the connection right now; answered as 503 with the fix. */
export class ConnectionUnavailableError extends BrokerError {
  constructor(
    readonly conn: string,
    message: string,
    hint: string,
    /** Only a login or a fix helps (invalid_grant, invalid_client, revoked); otherwise it passes by itself. */
    readonly lasting: boolean,
    /** The canonical cause in one word (invalid_grant, invalid_client, http_503, refresh_failed, …). */
    readonly failureCause: string,
    readonly retryAt: number,
  ) {
    super(message, lasting ? exitCodes.loginNeeded : exitCodes.failed, hint);
    this.name = 'ConnectionUnavailableError';
  }
}

interface Failing {
  lasting: boolean;
  failures: number;
  retryAt: number;
  message: string;
  hint: string;
  cause: string;
  /** The connection's state when it failed: a change means a login or a fix landed. */
  stamp: string;
}

export interface TokenKeeperOptions {
  /** Re-read the token store at least this often, even when state.json did not change. */
  revalidateMs?: number;
  random?: () => number;
  /** Told about every failure, e.g. to record serve's last error. */
  onFailure?: (conn: string, message: string) => void;
}

/** A 401 within this long after a refresh does not trigger another one. */
const freshTokenMs = 30_000;

export type KeeperDeps = Pick<Deps, 'env' | 'now' | 'paths' | 'state' | 'tokens' | 'appendEvent' | 'io' | 'mode'>;

export class TokenKeeper {
  private readonly held = new Map<string, HeldToken>();
  private readonly pending = new Map<string, Promise<HeldToken | undefined>>();
  private readonly failing = new Map<string, Failing>();
  private readonly revalidateMs: number;
  private readonly random: () => number;

  constructor(
    private readonly deps: KeeperDeps,
    private readonly options: TokenKeeperOptions = {},
  ) {
    this.revalidateMs = options.revalidateMs ?? 2_000;
    this.random = options.random ?? Math.random;
  }

  /**
   * A token for the connection as serve last read it from state.json. `agent` names who asked, on
   * the refresh event if one is needed. Throws ConnectionUnavailableError while the connection backs off.
   */
  async token(connection: Connection, agent: string): Promise<HeldToken> {
    const now = this.deps.now().getTime();
    const failing = this.failingNow(connection, now);
    const held = this.held.get(connection.name);
    if (failing) {
      if (!failing.lasting && held && !expired(held, now)) return { ...held, warning: failing.message };
      throw this.unavailable(connection.name, failing);
    }
    if (held && (connection.accessTokenFp === undefined || held.fp === connection.accessTokenFp) && now - held.checkedAt < this.revalidateMs && now < held.dueAt) return held;
    const token = await this.renew(connection.name, agent);
    if (!token) throw new BrokerError(`"${connection.name}" has no token`, exitCodes.loginNeeded, `broker login ${connection.name}`);
    return token;
  }

  /**
   * After the provider answered 401 to `rejectedFp`: one reactive refresh (or, for a GitHub App, a
   * new mint), shared by every call that saw the same rejection. Undefined when nothing can renew it.
   */
  async renewAfter401(connection: Connection, rejectedFp: string, agent: string): Promise<HeldToken | undefined> {
    const running = this.pending.get(connection.name);
    if (running) {
      const renewed = await running.catch(() => undefined);
      if (renewed && renewed.fp !== rejectedFp) return renewed;
    }
    const held = this.held.get(connection.name);
    if (held && held.fp !== rejectedFp) return held;
    const now = this.deps.now().getTime();
    const failing = this.failingNow(connection, now);
    if (failing) throw this.unavailable(connection.name, failing);
    // The store already holds a newer token (another process refreshed): read it, refresh nothing.
    if (connection.accessTokenFp !== undefined && connection.accessTokenFp !== rejectedFp) {
      this.held.delete(connection.name);
      return this.renew(connection.name, agent);
    }
    // The newest token, refreshed moments ago, is not stale: its 401 is about the call (another auth,
    // a token GitHub has not replicated yet), and refreshing on every such call would be the storm to avoid.
    if (connection.lastRefreshAt !== undefined && now - Date.parse(connection.lastRefreshAt) < freshTokenMs) return undefined;
    return this.renew(connection.name, agent, rejectedFp);
  }

  /** What serve knows of each failing connection, for its status. */
  failures(): Array<{ conn: string; message: string; lasting: boolean; retryAt: number }> {
    return [...this.failing].map(([conn, f]) => ({ conn, message: f.message, lasting: f.lasting, retryAt: f.retryAt }));
  }

  private failingNow(connection: Connection, now: number): Failing | undefined {
    const failing = this.failing.get(connection.name);
    if (!failing) return undefined;
    if (stampOf(connection) !== failing.stamp) {
      // A login, `broker refresh` or a doctor fix changed the connection: try again at once.
      this.failing.delete(connection.name);
      return undefined;
    }
    // Its time has come: one caller tries again (the others wait on the same promise).
    return now < failing.retryAt ? failing : undefined;
  }

  private renew(name: string, agent: string, rejectedFp?: string): Promise<HeldToken | undefined> {
    const running = this.pending.get(name);
    if (running) return running;
    const started = this.obtain(name, agent, rejectedFp).finally(() => this.pending.delete(name));
    this.pending.set(name, started);
    return started;
  }

  /** Undefined: the provider rejected the token and nothing can renew it (no refresh token). */
  private async obtain(name: string, agent: string, rejectedFp: string | undefined): Promise<HeldToken | undefined> {
    // The refresh events name the agent whose call needed the token.
    const deps: Deps = { ...(this.deps as Deps), appendEvent: (event) => this.deps.appendEvent({ ...event, agent }) };
    let usable: HeldToken | undefined;
    try {
      const token = await this.fetchToken(deps, name, rejectedFp, (current) => (usable = current));
      if (!token) return undefined;
      this.held.set(name, token);
      this.failing.delete(name);
      return token;
    } catch (err) {
      const failure = this.recordFailure(name, err);
      this.options.onFailure?.(name, failure.message);
      // A refresh that fails for a passing reason does not make a still valid token useless (as `broker token`);
      // nor does a store that cannot be read (the shared database away): the token held in memory goes on.
      const now = this.deps.now().getTime();
      const fallback = usable ?? this.held.get(name);
      if (!failure.lasting && fallback && !expired(fallback, now)) {
        this.held.set(name, fallback);
        return { ...fallback, warning: failure.message };
      }
      throw this.unavailable(name, failure);
    }
  }

  /** The connection's token from the store, refreshed first when due (or when the provider rejected it). */
  private async fetchToken(deps: Deps, name: string, rejectedFp: string | undefined, current: (token: HeldToken) => void): Promise<HeldToken | undefined> {
    const connection = deps.state().get(name);
    if (!connection) throw new BrokerError(`no connection named "${name}"`, exitCodes.usage, 'run `broker status` to list connections');
    if (connection.provider === 'github-app') {
      const minted = await installationTokenFor(name, deps, { trigger: rejectedFp ? 'reactive' : 'proactive', force: rejectedFp !== undefined });
      const after = deps.state().get(name);
      const fp = fingerprint(minted.accessToken);
      const expiresAt = after?.accessTokenFp === fp ? after.accessTokenExpiresAt : undefined;
      return heldFrom(after ?? connection, { access_token: minted.accessToken, expires_at: expiresAt }, minted.generation, deps.now().getTime());
    }
    const settled = await readSettled(deps, name, connection);
    refuseKnownDead(name, settled.connection, settled.bundle.refresh_token);
    const held = heldFrom(settled.connection, settled.bundle, settled.connection.generation, deps.now().getTime());
    if (rejectedFp === undefined) {
      current(held);
      if (!refreshIsDue(settled.connection, settled.bundle, deps.now())) return held;
    }
    if (!settled.bundle.refresh_token) {
      // After a 401 there is nothing to renew with: the provider's answer goes back as it is.
      if (rejectedFp !== undefined) return undefined;
      if (!expired(held, deps.now().getTime())) return held;
      throw new BrokerError(`the access token of "${name}" has expired and there is no refresh token`, exitCodes.loginNeeded, `broker login ${name}`);
    }
    const result = await refreshUnderLock(deps, { conn: name, trigger: rejectedFp ? 'reactive' : 'proactive', seenAccessTokenFp: rejectedFp ?? held.fp });
    return heldFrom(result.connection, result.bundle, result.connection.generation, deps.now().getTime());
  }

  private recordFailure(name: string, err: unknown): Failing {
    const previous = this.failing.get(name);
    const { lasting, cause } = classify(err);
    const failures = (previous?.failures ?? 0) + 1;
    const now = this.deps.now().getTime();
    const retryAt = now + backoffDelayMs(failures, lasting ? lastingFailureBackoff : passingFailureBackoff, this.random);
    const message = err instanceof Error ? err.message : String(err);
    const hint = (err instanceof BrokerError ? err.hint : undefined) ?? `broker doctor --conn ${name}`;
    const after = this.deps.state().get(name);
    const failing: Failing = { lasting, failures, retryAt, message, hint, cause, stamp: after ? stampOf(after) : '' };
    this.failing.set(name, failing);
    return failing;
  }

  private unavailable(name: string, failing: Failing): ConnectionUnavailableError {
    return new ConnectionUnavailableError(name, failing.message, failing.hint, failing.lasting, failing.cause, failing.retryAt);
  }
}

/**
 * The CLI's rule (core/refused-grant.ts, as `broker token` applies it): when the provider refused this
 * refresh token and nothing has succeeded since, its tokens are dead, and asking again only repeats
 * the refusal. The failure is lasting, and no call reaches the provider.
 */
function refuseKnownDead(name: string, connection: Connection, refreshToken: string | undefined): void {
  const refused = connection.lastError;
  if (!refused || !grantRefusedSinceLastSuccess(connection, refreshToken === undefined ? undefined : fingerprint(refreshToken))) return;
  const { cause } = classifyProviderError(connection.provider, { status: refused.status, error: refused.error, error_description: refused.description, error_code: refused.code });
  throw new RefreshRefusedError(refusedGrantMessage(name, refused), exitCodes.loginNeeded, `broker login ${name}`, cause);
}

/** A failure that only a login or a fix ends, or one that passes by itself; with its cause in one word. */
function classify(err: unknown): { lasting: boolean; cause: string } {
  if (err instanceof RefreshRefusedError) return { lasting: err.fatal, cause: err.providerCause };
  if (err instanceof InstallationTokenError) {
    const passing = err.status === undefined || err.status >= 500 || err.status === 429;
    return { lasting: !passing, cause: err.status === undefined ? 'unreachable' : `http_${err.status}` };
  }
  if (err instanceof BrokerError && err.exitCode === exitCodes.loginNeeded) return { lasting: true, cause: 'login_needed' };
  if (err instanceof BrokerError && err.exitCode === exitCodes.usage) return { lasting: true, cause: 'misconfigured' };
  // Network errors, timeouts, a busy lock, a missing secret variable: try again later.
  return { lasting: false, cause: 'refresh_failed' };
}

/** What changes when a login, a successful refresh or a fix lands on the connection. */
function stampOf(connection: Connection): string {
  return [connection.generation, connection.accessTokenFp, connection.refreshTokenFp, connection.clientSecretFp, connection.clientSecretSource, connection.lastError ? 'failing' : 'ok'].join('|');
}

/** What a held token needs of its bundle. */
type HeldBundle = Pick<TokenBundle, 'expires_at'> & { access_token: string };

function heldFrom(connection: Connection, bundle: HeldBundle, generation: number, checkedAt: number): HeldToken {
  return { accessToken: bundle.access_token, fp: fingerprint(bundle.access_token), expiresAt: bundle.expires_at, generation, checkedAt, dueAt: dueAt(connection, bundle, checkedAt) };
}

/**
 * When the token must be renewed, found with the CLI's own rule (refreshIsDue, installationTokenIsFresh):
 * the first moment (to 100 ms) from now at which it says so. A token without an expiry is never due.
 */
function dueAt(connection: Connection, bundle: HeldBundle, now: number): number {
  if (!bundle.expires_at) return Infinity;
  const isDue = (t: number): boolean => (connection.provider === 'github-app' ? !installationTokenIsFresh(bundle, new Date(t)) : refreshIsDue(connection, bundle, new Date(t)));
  if (isDue(now)) return now;
  // Binary search between now and the expiry (where the token is certainly due), to 100 ms.
  let low = now;
  let high = Math.max(now, Date.parse(bundle.expires_at));
  while (high - low > 100) {
    const mid = Math.floor((low + high) / 2);
    if (isDue(mid)) high = mid;
    else low = mid;
  }
  return high;
}

function expired(held: HeldToken, now: number): boolean {
  return held.expiresAt !== undefined && Date.parse(held.expiresAt) <= now;
}
