import * as client from 'openid-client';
import { BrokerError } from '../core/broker-error.js';
import { exitCodes } from '../core/exit-codes.js';
import { isLoopbackUrl, outboundUrlHint, outboundUrlProblem } from '../core/outbound-policy.js';
import { mergeSecrets, secretScrubber, type KnownSecret, type KnownSecrets } from '../core/scrub-secrets.js';
import { tokenResponseError } from '../core/providers/classify-provider-error.js';
import { providerProfile } from '../core/providers/index.js';
import type { Connection, ProviderId } from '../core/state-schema.js';
import type { HeldTokenBundle, TokenBundle } from '../core/token-bundle.js';
import { OutboundRefusedError, outboundFetchFor, type Env, type OutboundFetch } from './outbound-http.js';

export { isLoopbackUrl };

// The OAuth client: openid-client 6 under a small surface the refresh and login code share.
// Nothing here logs, and no error it throws carries a token or a secret.

/** Where a connection's authorization server is and how to authenticate to it. */
export interface OAuthServer {
  /** The issuer: discovered from (discovery: true), or only named (static endpoints). */
  issuer: string;
  discovery: boolean;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  deviceAuthorizationEndpoint?: string;
  userinfoEndpoint?: string;
  /** Default client_secret_basic, the OAuth default; no secret means a public client (none). */
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post';
  /** The provider answers token errors with HTTP 200 (GitHub, Slack): such answers are turned into errors here. */
  tokenErrorInBody200?: boolean;
  providerId?: ProviderId;
}

export interface OAuthClientCredentials {
  clientId: string;
  clientSecret?: string;
}

/** An OAuth error in the event log's words: never a whole response, never a token. */
export interface OAuthFailure {
  status?: number;
  error: string;
  error_description?: string;
  error_code?: string;
}

/** Thrown by every call here; `failure` is safe to log as is. */
export class OAuthError extends Error {
  constructor(readonly failure: OAuthFailure) {
    super(failure.error_description ? `${failure.error}: ${failure.error_description}` : failure.error);
    this.name = 'OAuthError';
  }
}

export type Configuration = client.Configuration;

const requestTimeoutSeconds = 15;

/**
 * The server of a connection, from its provider profile: discovery from the connection's issuer,
 * or the profile's static endpoints. A connection of a static provider that names an issuer (the
 * local GitHub stand-in, an Enterprise host) gets the same endpoint paths on that origin.
 */
export function serverForConnection(connection: Connection): OAuthServer {
  const profile = providerProfile(connection.provider);
  if (profile.discovery) {
    if (!connection.issuer) throw new BrokerError(`connection "${connection.name}" has no issuer`, exitCodes.usage, `re-create it: broker connect ${connection.name} --provider ${connection.provider} --issuer URL`);
    return { issuer: connection.issuer, discovery: true };
  }
  const { token, authorization, deviceAuthorization } = profile.endpoints;
  if (!token) throw new BrokerError(`provider ${connection.provider} has no OAuth token endpoint`, exitCodes.usage);
  const at = (endpoint: string | undefined) => (endpoint && connection.issuer ? new URL(new URL(endpoint).pathname, connection.issuer).href : endpoint);
  return {
    issuer: connection.issuer ?? new URL(token).origin,
    discovery: false,
    tokenEndpoint: at(token),
    authorizationEndpoint: at(authorization),
    deviceAuthorizationEndpoint: at(deviceAuthorization),
    tokenErrorInBody200: profile.tokenErrorInBody200,
    providerId: connection.provider,
  };
}

export interface OAuthTransport {
  /** The environment whose HTTPS_PROXY / HTTP_PROXY / NO_PROXY apply (default: none, direct). */
  env?: Env;
  /** Aborts every request of this configuration, discovery included: a probe's deadline. */
  signal?: AbortSignal;
}

// What each configuration authenticates with, so a failure can be scrubbed of it (never stored on the config itself).
const credentialsOf = new WeakMap<Configuration, KnownSecrets>();

export async function oauthConfiguration(server: OAuthServer, credentials: OAuthClientCredentials, transport: OAuthTransport = {}): Promise<Configuration> {
  const auth = clientAuthentication(server, credentials.clientSecret);
  const urls = [server.issuer, server.tokenEndpoint, server.authorizationEndpoint, server.deviceAuthorizationEndpoint, server.userinfoEndpoint].filter(
    (u): u is string => u !== undefined,
  );
  const refused = urls.map((u) => outboundUrlProblem(new URL(u))).find((p) => p !== undefined);
  if (refused) throw new BrokerError(refused, exitCodes.usage, outboundUrlHint);
  // openid-client refuses http:// unless told; the outbound policy above (the same one every request passes) has already allowed only loopback.
  const insecure = urls.some((u) => new URL(u).protocol === 'http:');
  const known: KnownSecrets = { clientId: credentials.clientId, secrets: [{ kind: 'client_secret', value: credentials.clientSecret }] };
  const policy = outboundFetchFor(transport.env ?? {});
  const { signal } = transport;
  const outbound: OutboundFetch = signal ? (url, init = {}) => policy(url, { ...init, signal: init.signal ? AbortSignal.any([init.signal, signal]) : signal }) : policy;
  const fetchForOpenid: client.CustomFetch =
    server.tokenErrorInBody200 && server.providerId ? errorsIn200As400(outbound, server.providerId, server.tokenEndpoint) : (url, init) => outbound(url, init as RequestInit);
  let config: Configuration;
  if (server.discovery) {
    config = await call(known, () =>
      client.discovery(new URL(server.issuer), credentials.clientId, undefined, auth, {
        execute: insecure ? [client.allowInsecureRequests] : [],
        timeout: requestTimeoutSeconds,
        [client.customFetch]: fetchForOpenid,
      }),
    );
  } else {
    config = new client.Configuration(
      {
        issuer: server.issuer,
        authorization_endpoint: server.authorizationEndpoint,
        token_endpoint: server.tokenEndpoint,
        device_authorization_endpoint: server.deviceAuthorizationEndpoint,
        userinfo_endpoint: server.userinfoEndpoint,
      },
      credentials.clientId,
      undefined,
      auth,
    );
    if (insecure) client.allowInsecureRequests(config);
  }
  config.timeout = requestTimeoutSeconds;
  config[client.customFetch] = fetchForOpenid;
  credentialsOf.set(config, known);
  return config;
}

const originalStatusHeader = 'x-broker-original-status';

/**
 * GitHub answers token errors with HTTP 200 and an `error` field (Slack with `ok: false`):
 * openid-client would call them malformed successes and drop the body, so they become 400s here,
 * with the real status kept aside for the event log.
 */
function errorsIn200As400(outbound: OutboundFetch, providerId: ProviderId, tokenEndpoint: string | undefined): client.CustomFetch {
  return async (url, init) => {
    const response = await outbound(url, init as RequestInit);
    if (response.status !== 200 || String(url) !== tokenEndpoint) return response;
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const failed = body !== undefined && tokenResponseError(providerId, 200, body) !== null;
    const headers = new Headers(response.headers);
    if (failed) {
      headers.set(originalStatusHeader, '200');
      headers.set('content-type', 'application/json');
    }
    return new Response(text, { status: failed ? 400 : 200, statusText: failed ? 'Bad Request' : response.statusText, headers });
  };
}

function clientAuthentication(server: OAuthServer, secret: string | undefined): client.ClientAuth {
  if (secret === undefined) return client.None();
  return server.tokenEndpointAuthMethod === 'client_secret_post' ? client.ClientSecretPost(secret) : client.ClientSecretBasic(secret);
}

/**
 * A token-endpoint answer as the bundle the store keeps. Providers that do not rotate (Google)
 * send no new refresh token, so the previous one stays; the client secret and key are carried over.
 */
export function bundleFromTokenResponse(response: client.TokenEndpointResponse, now: Date, previous?: TokenBundle | null): HeldTokenBundle {
  return {
    access_token: response.access_token,
    refresh_token: response.refresh_token ?? previous?.refresh_token,
    expires_at: typeof response.expires_in === 'number' ? new Date(now.getTime() + response.expires_in * 1000).toISOString() : undefined,
    scope: response.scope ?? previous?.scope,
    client_secret: previous?.client_secret,
    private_key: previous?.private_key,
  };
}

export async function refreshGrant(config: Configuration, refreshToken: string): Promise<client.TokenEndpointResponse> {
  return call(knownOf(config, [{ kind: 'refresh_token', value: refreshToken }]), () => client.refreshTokenGrant(config, refreshToken));
}

// ---- Login building blocks (used by `broker login`).

export interface DeviceAuthorization {
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  expiresIn: number;
  interval: number;
  /** Pass back to pollDeviceAuthorization unchanged. */
  response: client.DeviceAuthorizationResponse;
}

export async function startDeviceAuthorization(config: Configuration, scopes: string[]): Promise<DeviceAuthorization> {
  const response = await call(knownOf(config), () => client.initiateDeviceAuthorization(config, scopes.length > 0 ? { scope: scopes.join(' ') } : {}));
  return {
    userCode: response.user_code,
    verificationUri: response.verification_uri,
    verificationUriComplete: response.verification_uri_complete,
    expiresIn: response.expires_in,
    interval: response.interval ?? 5,
    response,
  };
}

/** Polls until the person approves, denies or the code expires; honours slow_down (openid-client adds 5 s). */
export async function pollDeviceAuthorization(config: Configuration, device: DeviceAuthorization, signal?: AbortSignal): Promise<client.TokenEndpointResponse> {
  return call(knownOf(config, [{ kind: 'credential', value: device.response.device_code }]), () => client.pollDeviceAuthorizationGrant(config, device.response, undefined, { signal }));
}

export interface AuthorizationRequest {
  url: string;
  state: string;
  codeVerifier: string;
  redirectUri: string;
}

/** An authorization-code request with PKCE (S256) and a fresh state, for a loopback redirect. */
export async function createAuthorizationRequest(
  config: Configuration,
  params: { redirectUri: string; scopes: string[]; loginHint?: string; extra?: Record<string, string> },
): Promise<AuthorizationRequest> {
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const query: Record<string, string> = {
    redirect_uri: params.redirectUri,
    response_type: 'code',
    state,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    ...(params.scopes.length > 0 ? { scope: params.scopes.join(' ') } : {}),
    ...(params.loginHint ? { login_hint: params.loginHint } : {}),
    ...params.extra,
  };
  return { url: client.buildAuthorizationUrl(config, query).href, state, codeVerifier, redirectUri: params.redirectUri };
}

/** Checks state and exchanges the code from the loopback callback URL (the full URL the browser was sent to). */
export async function exchangeAuthorizationCode(config: Configuration, callbackUrl: string | URL, request: AuthorizationRequest): Promise<client.TokenEndpointResponse> {
  const code = new URL(callbackUrl).searchParams.get('code') ?? undefined;
  return call(
    knownOf(config, [
      { kind: 'credential', value: request.codeVerifier },
      { kind: 'credential', value: code },
    ]),
    () => client.authorizationCodeGrant(config, new URL(callbackUrl), { expectedState: request.state, pkceCodeVerifier: request.codeVerifier }, { redirect_uri: request.redirectUri }),
  );
}

export interface Identity {
  /** The identity a connection's `account` is compared with: email, else preferred_username, else sub. */
  identity: string;
  sub: string;
  email?: string;
}

export async function fetchIdentity(config: Configuration, accessToken: string): Promise<Identity> {
  const info = await call(knownOf(config, [{ kind: 'access_token', value: accessToken }]), () => client.fetchUserInfo(config, accessToken, client.skipSubjectCheck));
  const email = typeof info.email === 'string' ? info.email : undefined;
  const username = typeof info.preferred_username === 'string' ? info.preferred_username : undefined;
  return { identity: email ?? username ?? info.sub, sub: info.sub, email };
}

// ---- Errors

function knownOf(config: Configuration, also: KnownSecret[] = []): KnownSecrets {
  return mergeSecrets(credentialsOf.get(config) ?? { secrets: [] }, { secrets: also });
}

async function call<T>(known: KnownSecrets, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    // The outbound policy refused a URL (a discovered endpoint on plain http, say): that is the broker's own
    // words. openid-client wraps what its fetch throws as "something went wrong", with the error as cause.
    const refused = err instanceof OutboundRefusedError ? err : (err as { cause?: unknown })?.cause;
    if (refused instanceof OutboundRefusedError) throw refused;
    if (refused instanceof BrokerError && err instanceof client.ClientError) throw refused;
    throw new OAuthError(describeOAuthFailure(err, known));
  }
}

/**
 * Any error from openid-client or fetch → the fields the event log keeps. Every word the provider
 * chose goes through the redaction pass with the secrets this call knows (the client secret and its
 * Basic header form, the token or code it presented), then is cut to 500 characters.
 */
export function describeOAuthFailure(err: unknown, known: KnownSecrets = { secrets: [] }): OAuthFailure {
  if (err instanceof OAuthError) return err.failure;
  // openid-client's catch-all ("something went wrong") says nothing: the error it wraps does.
  if (err instanceof client.ClientError && err.code === undefined && err.cause !== undefined) return describeOAuthFailure(err.cause, known);
  const scrubSecrets = secretScrubber(known);
  const scrub = (text: string | undefined): string | undefined => (text === undefined ? undefined : scrubSecrets(text).slice(0, 500));
  if (err instanceof client.ResponseBodyError) {
    const original = Number(err.response.headers.get(originalStatusHeader));
    return {
      status: original || err.status,
      error: scrub(err.error) ?? 'error',
      error_description: scrub(err.error_description),
      error_code: scrub(providerErrorCode(err.cause)),
    };
  }
  if (err instanceof client.AuthorizationResponseError) {
    return { error: scrub(err.error) ?? 'error', error_description: scrub(err.error_description) };
  }
  if (err instanceof client.WWWAuthenticateChallengeError) {
    const challenge = err.cause[0];
    const error = challenge?.parameters.error;
    return { status: err.status, error: scrub(error) ?? 'invalid_token', error_description: scrub(challenge?.parameters.error_description) };
  }
  const e = err as { name?: string; message?: string; code?: string; cause?: { code?: string; message?: string; status?: number } };
  // openid-client reports an aborted or timed-out request as OAUTH_TIMEOUT; fetch as TimeoutError or AbortError.
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError' || e?.code === 'OAUTH_TIMEOUT') return { error: 'timeout', error_description: `no answer within ${requestTimeoutSeconds} s` };
  if (e?.name === 'TypeError' && e.message === 'fetch failed') {
    return { error: 'network_error', error_description: scrub(e.cause?.code ?? e.cause?.message) };
  }
  const status = typeof e?.cause?.status === 'number' ? e.cause.status : undefined;
  return { status, error: scrub(e?.code) ?? 'client_error', error_description: scrub(e?.message ?? String(err)) };
}

/** Microsoft puts its AADSTS number in error_codes; others may send error_code or code. */
function providerErrorCode(body: Record<string, unknown> | undefined): string | undefined {
  if (!body) return undefined;
  const codes = body.error_codes;
  if (Array.isArray(codes) && codes.length > 0) return `AADSTS${String(codes[0])}`;
  if (typeof body.error_code === 'string' || typeof body.error_code === 'number') return String(body.error_code);
  return undefined;
}
