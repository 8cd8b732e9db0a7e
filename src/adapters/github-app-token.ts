import { createAppAuth } from '@octokit/auth-app';
import { request as octokitRequest } from '@octokit/request';
import { BrokerError, usageError } from '../core/broker-error.js';
import { apiBaseOf } from '../core/api-base.js';
import { exitCodes } from '../core/exit-codes.js';
import { fingerprint } from '../core/fingerprint.js';
import { connectionSecrets, secretScrubber, type KnownSecret } from '../core/scrub-secrets.js';
import type { Connection } from '../core/state-schema.js';
import type { HeldTokenBundle, TokenBundle } from '../core/token-bundle.js';
import type { Deps } from '../commands/deps.js';
import { outboundFetchFor, type Env } from './outbound-http.js';
import { readBoundedRegularFile } from './regular-file.js';

/** A PEM key is a few KB; the bound keeps a wrong path (a device, a log) from being read whole. */
const maxPrivateKeyBytes = 64 * 1024;

/** Installation tokens live an hour; mint a new one once 75% of that is gone, like any other token (docs/design.md §7). */
export function installationTokenIsFresh(bundle: TokenBundle | null, now: Date, lifetimeMs = 3600_000): boolean {
  if (!bundle?.access_token || !bundle.expires_at) return false;
  return Date.parse(bundle.expires_at) - now.getTime() > lifetimeMs * 0.25;
}

/** A mint GitHub refused: the status and GitHub's own message, never a token or the key. */
export class InstallationTokenError extends BrokerError {
  constructor(
    readonly connection: string,
    readonly status: number | undefined,
    readonly providerMessage: string,
  ) {
    super(`GitHub refused an installation token for "${connection}": ${status ?? 'no answer'} ${providerMessage}`, exitCodes.failed, hintFor(status, providerMessage, connection));
    this.name = 'InstallationTokenError';
  }
}

function hintFor(status: number | undefined, message: string, conn: string): string | undefined {
  if (/claim \('(iat|exp)'\)/.test(message)) return 'the local clock differs from GitHub\'s: fix the clock (timedatectl / NTP), then `broker refresh ' + conn + '`';
  if (status === 404) return 'the installation id does not belong to this App: look it up with GET /repos/OWNER/REPO/installation and reconnect';
  if (/could not be decoded/.test(message)) return 'the private key does not belong to this App (rotated?): reconnect with --private-key-file';
  if (/suspended/.test(message)) return 'an owner of the account suspended the installation; ask them to unsuspend it';
  return undefined;
}

/** Reads a GitHub App private key for `connect --private-key-file`; the path, never the content, goes into errors. */
export function readPrivateKeyFile(path: string): string {
  const text = readBoundedRegularFile(path, { maxBytes: maxPrivateKeyBytes, what: '--private-key-file', exitCode: exitCodes.usage }).toString('utf8');
  if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(text)) throw usageError(`--private-key-file ${path} is not a PEM private key`, 'download the key from the App\'s settings page (a .pem file)');
  return text;
}

export interface MintDeps {
  /** auth-app's clock-skew retry reports through this ("GitHub API time and system time are different by N seconds"). */
  warn?: (message: string) => void;
  /** The environment whose HTTPS_PROXY / NO_PROXY apply, and whose BROKER_PASSPHRASE is scrubbed from GitHub's words. */
  env?: Env;
  /** Aborts the mint (a probe's deadline). */
  signal?: AbortSignal;
}

/**
 * Mints a fresh installation token with the App's JWT. The JWT is signed with bundle.private_key;
 * when GitHub rejects it for clock skew, auth-app retries once using the offset from GitHub's Date header.
 * Returns the new bundle (private key kept), to be written by the caller.
 */
export async function mintInstallationToken(connection: Connection, bundle: Pick<TokenBundle, 'private_key'> & Partial<TokenBundle>, deps: MintDeps = {}): Promise<HeldTokenBundle> {
  const installation = connection.installation;
  const data = await asApp(connection, bundle, deps, (request) => request('POST /app/installations/{installation_id}/access_tokens', { installation_id: installation!.id }));
  return { ...bundle, access_token: data.data.token, expires_at: new Date(data.data.expires_at).toISOString(), refresh_token: undefined, private_key: bundle.private_key };
}

/** The installation of this App that covers a repository (GET /repos/{owner}/{repo}/installation with the App's JWT). */
export async function findRepositoryInstallation(connection: Connection, bundle: Pick<TokenBundle, 'private_key'>, repository: string, deps: MintDeps = {}): Promise<{ id: number; account: string }> {
  const [owner, repo] = repository.split('/');
  if (!owner || !repo) throw new BrokerError(`"${repository}" is not OWNER/REPO`, exitCodes.usage);
  const { data } = await asApp(connection, bundle, deps, (request) => request('GET /repos/{owner}/{repo}/installation', { owner, repo }));
  return { id: data.id, account: data.account && 'login' in data.account ? data.account.login : owner };
}

type AppRequest = ReturnType<typeof octokitRequest.defaults>;

/**
 * One call as the App (its JWT, or an installation token auth-app mints for the route), through the
 * outbound policy; GitHub's refusal becomes an InstallationTokenError with every credential sent scrubbed from its words.
 */
async function asApp<T>(connection: Connection, bundle: Pick<TokenBundle, 'private_key'> & Partial<TokenBundle>, deps: MintDeps, call: (request: AppRequest) => Promise<T>): Promise<T> {
  const { appId, installation } = connection;
  if (connection.provider !== 'github-app' || !appId || !installation) {
    throw new BrokerError(`"${connection.name}" is not a GitHub App connection with an app id and installation`, exitCodes.usage);
  }
  if (!bundle.private_key) {
    throw new BrokerError(`"${connection.name}" has no App private key in the token store`, exitCodes.loginNeeded, `reconnect it: broker connect ${connection.name} --provider github-app … --private-key-file PATH`);
  }
  const outbound = outboundFetchFor(deps.env ?? {});
  // The JWTs (and any token) auth-app sends, so a GitHub that echoes them back has them scrubbed out of its message.
  const sent: KnownSecret[] = [];
  const recordingFetch = (url: string | URL, init: RequestInit = {}) => {
    const authorization = new Headers(init.headers).get('authorization');
    if (authorization) sent.push({ kind: 'credential', value: authorization.replace(/^(bearer|token)\s+/i, '') });
    return outbound(url, deps.signal ? { ...init, signal: init.signal ? AbortSignal.any([init.signal, deps.signal]) : deps.signal } : init);
  };
  const base = octokitRequest.defaults({ baseUrl: apiBaseOf(connection), headers: { 'user-agent': 'broker' }, request: { fetch: recordingFetch } });
  const auth = createAppAuth({
    appId,
    privateKey: bundle.private_key,
    request: base,
    log: { warn: (message: string) => deps.warn?.(message) },
  });
  try {
    return await call(base.defaults({ request: { hook: auth.hook } }));
  } catch (err) {
    // octokit wraps what its fetch throws (the outbound policy's refusal) in a RequestError with status 500.
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof BrokerError) throw cause;
    const e = err as { status?: number; message?: string; response?: { data?: unknown } };
    const body = e.response?.data as { message?: unknown } | undefined;
    const said = typeof body?.message === 'string' ? body.message : (e.message ?? String(err));
    const scrub = secretScrubber(connectionSecrets({ bundle, env: deps.env, also: sent }));
    throw new InstallationTokenError(connection.name, e.status, scrub(said).slice(0, 500));
  }
}

export type MintTrigger = 'proactive' | 'reactive' | 'manual' | 'keepalive';

/**
 * The github-app path of `broker token` / `broker refresh` / `broker api`: the cached installation token
 * while it is fresh, else a new one, stored in the bundle and recorded in state and the event log.
 * Installation tokens are independent of each other, so concurrent mints are harmless and need no lock.
 */
export async function installationTokenFor(name: string, deps: Deps, options: { trigger?: MintTrigger; force?: boolean } = {}): Promise<{ accessToken: string; generation: number; minted: boolean }> {
  const state = deps.state();
  const connection = state.get(name);
  if (!connection) throw new BrokerError(`no connection named "${name}"`, exitCodes.usage, 'run `broker status` to list connections');
  const bundle = await deps.tokens().read(name);
  if (!options.force && bundle && installationTokenIsFresh(bundle, deps.now())) {
    return { accessToken: bundle.access_token, generation: connection.generation, minted: false };
  }
  const started = Date.now();
  const trigger = options.trigger ?? (options.force ? 'manual' : 'proactive');
  try {
    const next = await mintInstallationToken(connection, { private_key: bundle?.private_key, access_token: bundle?.access_token }, { warn: (m) => deps.io.stderr.write(`broker: ${m}\n`), env: deps.env });
    await deps.tokens().write(name, next);
    const atFp = fingerprint(next.access_token);
    const updated = await state.update(name, (c) => ({
      ...c,
      accessTokenExpiresAt: next.expires_at,
      accessTokenFp: atFp,
      lastRefreshAt: deps.now().toISOString(),
      generation: c.generation + 1,
      lastError: undefined,
    }));
    deps.appendEvent({ event: 'refresh', conn: name, trigger, outcome: 'ok', at_fp: atFp, generation: updated.generation, duration_ms: Date.now() - started });
    return { accessToken: next.access_token, generation: updated.generation, minted: true };
  } catch (err) {
    if (err instanceof InstallationTokenError) {
      deps.appendEvent({ event: 'refresh', conn: name, trigger, outcome: 'error', status: err.status, error: err.providerMessage, generation: connection.generation, duration_ms: Date.now() - started });
      await state.update(name, (c) => ({ ...c, lastError: { at: deps.now().toISOString(), status: err.status, error: err.providerMessage } }));
    }
    throw err;
  }
}
