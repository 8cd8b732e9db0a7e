import { performance } from 'node:perf_hooks';
import type { ProbeSummary } from '../core/doctor-report.js';
import type { ProbeEvent } from '../core/events.js';
import { fingerprint } from '../core/fingerprint.js';
import { clientCauses, providerProfile } from '../core/providers/index.js';
import { classifyProviderError } from '../core/providers/classify-provider-error.js';
import type { Connection } from '../core/state-schema.js';
import { holdsAccessToken, type TokenBundle } from '../core/token-bundle.js';
import { loadClientSecret } from './client-secret.js';
import type { AppendEvent } from './event-log-writer.js';
import { mintInstallationToken } from './github-app-token.js';
import { fetchLoginIdentity } from './login-flows.js';
import { OAuthError, describeOAuthFailure, oauthConfiguration, refreshGrant, serverForConnection, type Configuration, type OAuthFailure } from './oauth-client.js';
import type { Env } from './outbound-http.js';
import type { TokenStore } from './token-store.js';

// `broker doctor --probe`: each connection checked live against its provider, all in parallel under
// one deadline, each result a `probe` event the same rules read (docs/design.md §12). Nothing is
// consumed: the token endpoint is asked to refresh a token that cannot exist, so a client it accepts
// gets invalid_grant and a client it refuses gets invalid_client, and no grant rotates.

export interface ProbeDeps {
  env: Env;
  tokens(): Pick<TokenStore, 'readEntry'>;
  appendEvent: AppendEvent;
}

/** One line per check: what the provider said, or that it did not answer. */
export type ProbeResult = ProbeSummary;

/** A refresh token no provider ever issued: the answer says only whether the client was accepted. */
const impossibleRefreshToken = 'broker-probe-not-a-refresh-token';

export async function probeConnections(connections: readonly Connection[], deps: ProbeDeps, deadlineMs: number): Promise<ProbeResult[]> {
  const deadline = AbortSignal.timeout(deadlineMs);
  const results = await Promise.all(connections.map((c) => probeConnection(c, deps, deadline, deadlineMs)));
  return results.flat();
}

async function probeConnection(connection: Connection, deps: ProbeDeps, signal: AbortSignal, deadlineMs: number): Promise<ProbeResult[]> {
  const profile = providerProfile(connection.provider);
  const started = performance.now();
  const results: ProbeResult[] = [];
  const record = (check: ProbeEvent['check'], outcome: ProbeEvent['outcome'], fields: Partial<ProbeEvent> & { detail: string }) => {
    const { detail, ...event } = fields;
    deps.appendEvent({ event: 'probe', conn: connection.name, check, outcome, ...event, duration_ms: Math.round(performance.now() - started) });
    results.push({ conn: connection.name, check, outcome, detail });
  };
  const failed = (check: ProbeEvent['check'], failure: OAuthFailure) => record(check, 'error', { ...failureFields(failure, deadlineMs), detail: describe(failure, deadlineMs) });
  let bundle: TokenBundle | null = null;
  try {
    bundle = await deps.tokens().readEntry(connection.name);
  } catch (err) {
    // The store itself is checked by the doctor (keychain-unavailable); a probe without it has nothing to present.
    record('token-endpoint', 'error', { error: 'token_store_unreadable', error_description: (err as Error).message.slice(0, 200), detail: 'the token store cannot be read' });
    return results;
  }

  if (profile.refreshTokens === 'none') {
    if (!bundle?.private_key) return results;
    try {
      const minted = await mintInstallationToken(connection, bundle, { env: deps.env, signal });
      record('installation', 'ok', { detail: `minted a token for installation ${connection.installation?.id} (not kept, fp ${fingerprint(minted.access_token)})` });
    } catch (err) {
      const e = err as { status?: number; providerMessage?: string; message?: string; name?: string };
      failed('installation', e.name === 'InstallationTokenError' ? { status: e.status, error: e.providerMessage ?? 'mint_failed' } : describeOAuthFailure(err));
    }
    return results;
  }

  let config: Configuration | undefined;
  if (connection.clientId) {
    try {
      const secret = loadClientSecret(connection, bundle, deps);
      config = await oauthConfiguration(serverForConnection(connection), { clientId: connection.clientId, clientSecret: secret.secret }, { env: deps.env, signal });
      await refreshGrant(config, impossibleRefreshToken);
      record('token-endpoint', 'ok', { detail: 'the token endpoint accepted the client' });
    } catch (err) {
      const failure = err instanceof OAuthError ? err.failure : { error: 'client_secret_unavailable', error_description: (err as Error).message.slice(0, 300) };
      const cause = classifyProviderError(connection.provider, failure).cause;
      // Refused the made-up token, so it got past client authentication: the client is fine.
      if (err instanceof OAuthError && !clientCauses.has(cause) && cause !== 'unknown' && failure.error !== 'timeout' && failure.error !== 'network_error' && (failure.status ?? 400) < 500) {
        record('token-endpoint', 'ok', { status: failure.status, detail: `the token endpoint accepted the client (it refused the made-up refresh token: ${failure.error})` });
      } else failed('token-endpoint', failure);
    }
  }

  const accessToken = holdsAccessToken(bundle) && (!bundle.expires_at || Date.parse(bundle.expires_at) > Date.now()) ? bundle.access_token : undefined;
  if (accessToken && !signal.aborted) {
    try {
      const seen = await fetchLoginIdentity(connection, accessToken, config, deps.env, signal);
      if (seen) record('identity', 'ok', { identity: seen.identity, detail: `the identity endpoint answered as ${seen.identity}` });
    } catch (err) {
      failed('identity', err instanceof OAuthError ? err.failure : describeOAuthFailure(err));
    }
  }
  return results;
}

function failureFields(failure: OAuthFailure, deadlineMs: number): Pick<ProbeEvent, 'status' | 'error' | 'error_description' | 'error_code'> {
  return {
    ...(failure.status !== undefined ? { status: failure.status } : {}),
    error: failure.error,
    error_description: failure.error === 'timeout' ? `no answer within the probe's ${deadlineMs / 1000} s` : failure.error_description,
    ...(failure.error_code !== undefined ? { error_code: failure.error_code } : {}),
  };
}

function describe(failure: OAuthFailure, deadlineMs: number): string {
  if (failure.error === 'timeout') return `no answer within ${deadlineMs / 1000} s`;
  return `${failure.status ? `HTTP ${failure.status} ` : ''}${failure.error}${failure.error_description ? `: ${failure.error_description.slice(0, 160)}` : ''}`;
}
