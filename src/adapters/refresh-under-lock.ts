import { performance } from 'node:perf_hooks';
import { BrokerError } from '../core/broker-error.js';
import type { RefreshEvent } from '../core/events.js';
import { exitCodes, type ExitCode } from '../core/exit-codes.js';
import { fingerprint } from '../core/fingerprint.js';
import { classifyProviderError } from '../core/providers/classify-provider-error.js';
import { providerProfile, type CanonicalCause } from '../core/providers/index.js';
import { clientCauses, loginNeededCauses } from '../core/providers/causes.js';
import type { Connection } from '../core/state-schema.js';
import { connectionSecrets, scrubStrings, secretScrubber } from '../core/scrub-secrets.js';
import type { HeldTokenBundle } from '../core/token-bundle.js';
import type { Deps } from '../commands/deps.js';
import { loadClientSecret } from './client-secret.js';
import { OAuthError, bundleFromTokenResponse, oauthConfiguration, refreshGrant, serverForConnection, type OAuthFailure } from './oauth-client.js';
import { UnpersistedError } from './store.js';

// Serialised refresh, exactly as docs/design.md §7 says: take the connection's lock, re-read the store; if
// another process refreshed meanwhile use its token; else refresh, write the whole new bundle,
// release. On invalid_grant re-read again: a changed refresh token means a lost race, not a revocation.
// The lock and the reads and writes under it come from the store (a file lock in the home, an
// advisory lock and a compare-and-set on generation in PostgreSQL, §14).

export type RefreshDeps = Pick<Deps, 'env' | 'now' | 'paths' | 'state' | 'tokens' | 'appendEvent' | 'store'>;
export type RefreshTrigger = RefreshEvent['trigger'];

export interface RefreshRequest {
  conn: string;
  trigger: RefreshTrigger;
  /**
   * The access token's fingerprint the caller saw when it decided to refresh. If the store holds a
   * different one once the lock is held, another process refreshed meanwhile and its token is used.
   * Undefined: read it from the store before taking the lock.
   */
  seenAccessTokenFp?: string;
}

export interface RefreshResult {
  bundle: HeldTokenBundle;
  connection: Connection;
  /** Another process's fresh token was used instead of refreshing. */
  adopted: boolean;
  /** This process's refresh failed with invalid_grant because another one had rotated the token first. */
  lostRace: boolean;
}


export async function refreshUnderLock(deps: RefreshDeps, request: RefreshRequest): Promise<RefreshResult> {
  const { conn, trigger } = request;
  const seenAtFp = request.seenAccessTokenFp ?? fingerprintOf((await deps.tokens().read(conn))?.access_token);
  const session = await deps.store.lockForRefresh(conn);
  const started = performance.now();
  const base = { event: 'refresh' as const, conn, trigger, lock_wait_ms: session.waitedMs };
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const { connection, bundle } = await session.read();
    if (!connection) throw new BrokerError(`no connection named "${conn}"`, exitCodes.usage, 'run `broker status` to list connections');
    if (!bundle) throw new BrokerError(`"${conn}" has no token stored`, exitCodes.loginNeeded, `broker login ${conn}`);

    const currentAtFp = fingerprint(bundle.access_token);
    // Without the lock (test-only switch) the re-read is skipped too: that is the naive broker whose race the lock prevents.
    if (session.locked && seenAtFp !== undefined && currentAtFp !== seenAtFp) {
      deps.appendEvent({ ...base, outcome: 'ok', adopted: true, new_rt_fp: fingerprintOf(bundle.refresh_token), at_fp: currentAtFp, generation: connection.generation, duration_ms: elapsed() });
      return { bundle, connection, adopted: true, lostRace: false };
    }
    if (!bundle.refresh_token) {
      throw new BrokerError(`"${conn}" has no refresh token: its access token cannot be renewed`, exitCodes.loginNeeded, `broker login ${conn}`);
    }
    let secret: ReturnType<typeof loadClientSecret>;
    try {
      secret = loadClientSecret(connection, bundle, deps);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      deps.appendEvent({ ...base, outcome: 'error', error: 'client_secret_unavailable', error_description: message, rt_fp: fingerprint(bundle.refresh_token), generation: connection.generation, duration_ms: elapsed() });
      throw err;
    }

    /** Presents the bundle's refresh token once: the new bundle, or the one another process stored meanwhile (a lost race). */
    const present = async (current: HeldTokenBundle & { refresh_token: string }): Promise<RefreshResult | { lostTo: HeldTokenBundle; connection: Connection | undefined }> => {
      const presented = current.refresh_token;
      const rtFp = fingerprint(presented);
      let response: Awaited<ReturnType<typeof refreshGrant>>;
      try {
        if (!connection.clientId) throw new BrokerError(`"${conn}" has no client id`, exitCodes.usage, `re-create it with --client-id: broker connect ${conn} …`);
        // Everything that can fail or take time is done before the provider is asked: the store is read
        // (the file store's key derived, the keychain proven unlocked), the client secret loaded, the
        // issuer discovered. Once the provider answers, the rotated refresh token lives only in this
        // process's memory until it is stored, so storing it is the one thing done first.
        const config = await oauthConfiguration(serverForConnection(connection), { clientId: connection.clientId, clientSecret: secret.secret }, { env: deps.env });
        response = await refreshGrant(config, presented);
      } catch (err) {
        // Provider words go to the log, state.json and the screen: first out with every secret this connection holds.
        const scrub = secretScrubber(connectionSecrets({ clientId: connection.clientId, clientSecret: secret.secret, bundle: current, env: deps.env }));
        if (!(err instanceof OAuthError)) {
          const message = scrub(err instanceof Error ? err.message : String(err));
          deps.appendEvent({ ...base, outcome: 'error', error: 'refresh_failed', error_description: message.slice(0, 300), rt_fp: rtFp, generation: connection.generation, duration_ms: elapsed() });
          throw err;
        }
        const failure = scrubStrings(err.failure, scrub);
        const failed = { ...base, outcome: 'error' as const, ...failureFields(failure), rt_fp: rtFp, generation: connection.generation };
        const cause = classifyProviderError(connection.provider, failure).cause;
        if (loginNeededCauses.has(cause)) {
          const after = await session.read();
          if (after.bundle?.refresh_token && after.bundle.refresh_token !== presented) {
            // Someone else rotated the token while this request was in flight: a lost race, not a revocation.
            deps.appendEvent({ ...failed, new_rt_fp: fingerprint(after.bundle.refresh_token), at_fp: fingerprint(after.bundle.access_token), duration_ms: elapsed() });
            return { lostTo: after.bundle, connection: after.connection };
          }
        }
        deps.appendEvent({ ...failed, duration_ms: elapsed() });
        await session.update((c) => ({
          ...c,
          lastError: { at: deps.now().toISOString(), status: failure.status, error: failure.error, description: failure.error_description, code: failure.error_code },
        }));
        throw refreshFailure(conn, connection, cause, failure);
      }
      const answeredAt = performance.now();
      const now = deps.now();
      const next = bundleFromTokenResponse(response, now, current);
      const atFp = fingerprint(next.access_token);
      const newRtFp = fingerprintOf(next.refresh_token);
      let updated: Connection;
      try {
        // The whole bundle at once, with the metadata: a rotated refresh token must never be lost between two writes.
        updated = await session.commit(next, (c) => ({
          ...c,
          generation: c.generation + 1,
          accessTokenFp: atFp,
          refreshTokenFp: newRtFp,
          accessTokenExpiresAt: next.expires_at,
          lastRefreshAt: now.toISOString(),
          refreshTokenObtainedAt: newRtFp !== rtFp ? now.toISOString() : c.refreshTokenObtainedAt,
          clientSecretFp: secret.fp ?? c.clientSecretFp,
          lastError: undefined,
        }));
      } catch (err) {
        if (!(err instanceof UnpersistedError)) throw err;
        // The provider took the presented refresh token and gave a new one that is now lost: where
        // it rotates, the next refresh presents a used token. The doctor names this as the reason.
        deps.appendEvent({ ...base, outcome: 'unpersisted', status: 200, error: 'not_stored', error_description: err.reason.slice(0, 300), rt_fp: rtFp, new_rt_fp: newRtFp, at_fp: atFp, generation: connection.generation, duration_ms: elapsed() });
        throw err;
      }
      const persistMs = Math.round((performance.now() - answeredAt) * 100) / 100;
      deps.appendEvent({ ...base, outcome: 'ok', status: 200, rt_fp: rtFp, new_rt_fp: newRtFp, at_fp: atFp, generation: updated.generation, duration_ms: elapsed(), persist_ms: persistMs });
      return { bundle: next, connection: updated, adopted: false, lostRace: false };
    };

    const first = await present({ ...bundle, refresh_token: bundle.refresh_token });
    if (!('lostTo' in first)) return first;
    const winner = first.lostTo;
    // The winner's token is kept only when it is known good: not expired, from a provider that does
    // not revoke the family on reuse. Otherwise it is presented once: a provider that revoked the
    // family refuses it, and the loser says so instead of handing out a dead token.
    const expired = winner.expires_at !== undefined && Date.parse(winner.expires_at) <= deps.now().getTime();
    if (!providerProfile(connection.provider).reuseRevokesFamily && !expired) return { bundle: winner, connection: first.connection ?? connection, adopted: true, lostRace: true };
    try {
      const second = await present({ ...winner, refresh_token: winner.refresh_token! });
      return 'lostTo' in second ? { bundle: second.lostTo, connection: second.connection ?? connection, adopted: true, lostRace: true } : { ...second, lostRace: true };
    } catch (err) {
      if (err instanceof RefreshRefusedError && loginNeededCauses.has(err.providerCause)) {
        throw new RefreshRefusedError(`the refresh of "${conn}" lost a race to another process, and the provider then refused the winner's token too: it revoked the whole token family (${err.message})`, exitCodes.loginNeeded, `broker login ${conn}`, err.providerCause);
      }
      throw err;
    }
  } finally {
    await session.release();
  }
}

/** A refresh the provider refused, with the canonical cause its answer maps to. */
export class RefreshRefusedError extends BrokerError {
  constructor(
    message: string,
    exitCode: ExitCode,
    hint: string,
    readonly providerCause: CanonicalCause,
  ) {
    super(message, exitCode, hint);
    this.name = 'RefreshRefusedError';
  }
  /** Whether the current access token is as good as gone: the grant or the client was refused. */
  get fatal(): boolean {
    return loginNeededCauses.has(this.providerCause) || clientCauses.has(this.providerCause);
  }
}

function refreshFailure(conn: string, connection: Connection, cause: CanonicalCause, failure: OAuthFailure): RefreshRefusedError {
  const said = `${failure.status ? `HTTP ${failure.status} ` : ''}${failure.error}${failure.error_description ? ` (${failure.error_description})` : ''}`;
  if (loginNeededCauses.has(cause)) {
    return new RefreshRefusedError(`the provider refused the refresh token of "${conn}": ${said}`, exitCodes.loginNeeded, `broker login ${conn}`, cause);
  }
  if (clientCauses.has(cause)) {
    const source = connection.clientSecretSource ?? 'none';
    return new RefreshRefusedError(
      `the provider refused the client of "${conn}": ${said}`,
      exitCodes.failed,
      `the client secret (source ${source}) was probably rotated: put the new one in ${source === 'keychain' ? 'the keychain (broker login)' : source}, then run: broker refresh ${conn}`,
      cause,
    );
  }
  return new RefreshRefusedError(`refreshing "${conn}" failed: ${said}`, exitCodes.failed, `run \`broker doctor --conn ${conn}\``, cause);
}

function failureFields(failure: OAuthFailure): Pick<RefreshEvent, 'status' | 'error' | 'error_description' | 'error_code'> {
  return {
    ...(failure.status !== undefined ? { status: failure.status } : {}),
    error: failure.error,
    ...(failure.error_description !== undefined ? { error_description: failure.error_description } : {}),
    ...(failure.error_code !== undefined ? { error_code: failure.error_code } : {}),
  };
}

function fingerprintOf(secret: string | undefined): string | undefined {
  return secret === undefined ? undefined : fingerprint(secret);
}
