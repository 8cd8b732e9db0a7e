import type { TokenEndpointResponse } from 'openid-client';
import { BrokerError, usageError, noSuchConnection } from '../core/broker-error.js';
import { exitCodes } from '../core/exit-codes.js';
import { fingerprint } from '../core/fingerprint.js';
import { checkLoginIdentity, loginScopes } from '../core/login-identity.js';
import type { LoginMethod, LoginReporter } from '../core/login-progress.js';
import { providerProfile } from '../core/providers/index.js';
import type { Connection } from '../core/state-schema.js';
import { parseTokenInput, type HeldTokenBundle, type TokenBundle } from '../core/token-bundle.js';
import { formatLoginStep } from '../output/login-text.js';
import { loadClientSecret } from '../adapters/client-secret.js';
import { browserLogin, canOpenBrowser, deviceLogin, fetchLoginIdentity } from '../adapters/login-flows.js';
import { OAuthError, bundleFromTokenResponse, oauthConfiguration, serverForConnection, type Configuration } from '../adapters/oauth-client.js';
import { defineCommand, type OptionValues } from './command.js';
import { splitList } from './connect.js';
import type { Deps } from './deps.js';
import { readAll } from './read-stdin.js';

export interface LoginOptions {
  name: string;
  /** Undefined: decided from the provider and the session (device over SSH or without a display). */
  method?: LoginMethod;
  /** --browser: try to open one. --no-browser: print the URL only. */
  openBrowser: boolean;
  scopes: string[];
  timeoutSec: number;
  json: boolean;
  /** No method chosen: take the device code whenever the provider has one (the doctor's fix box, where a URL would be cut). */
  preferDevice?: boolean;
  /** Stops the wait for the browser or the device approval (the doctor quit while it ran). */
  signal?: AbortSignal;
}

// OpenID providers answer userinfo only for `openid`, and hand out refresh tokens for offline_access.
const oidcDefaultScopes = ['openid', 'email', 'offline_access'];

export const loginCommand = defineCommand<LoginOptions>({
  name: 'login',
  usage: `Usage: broker login NAME [--device | --browser | --no-browser | --paste] [--scopes A,B]

Gets new tokens for NAME and stores them only when the signed-in identity is the connection's account.
Re-login keeps the connection's scopes and adds --scopes.

Options:
  --browser         authorization code + PKCE; opens a browser when there is a display
  --no-browser      the same, but only prints the URL (copy it to a browser on this machine)
  --device          a code to enter at the provider's page on any device (for SSH sessions)
  --paste           read a token (or a token-endpoint JSON bundle) from stdin, for providers without OAuth apps
  --scopes A,B      scopes to add to the connection's
  --timeout SEC     how long to wait for the browser (default 300)
  --json            print the result as JSON
`,
  options: {
    browser: { type: 'boolean' },
    'no-browser': { type: 'boolean' },
    device: { type: 'boolean' },
    paste: { type: 'boolean' },
    scopes: { type: 'string' },
    timeout: { type: 'string' },
    json: { type: 'boolean' },
  },
  parse: parseLoginOptions,
  run: runLogin,
});

function parseLoginOptions(values: OptionValues, positionals: string[]): LoginOptions {
  const [name, ...extra] = positionals;
  if (!name || extra.length > 0) throw usageError('login takes exactly one NAME', 'broker login NAME');
  const chosen = (['browser', 'no-browser', 'device', 'paste'] as const).filter((flag) => values[flag] === true);
  if (chosen.length > 1) throw usageError(`choose one of --${chosen.join(', --')}`);
  const timeoutSec = values.timeout === undefined ? 300 : Number(values.timeout);
  if (!Number.isInteger(timeoutSec) || timeoutSec <= 0) throw usageError('--timeout must be a positive number of seconds');
  const flag = chosen[0];
  return {
    name,
    method: flag === 'device' ? 'device' : flag === 'paste' ? 'paste' : flag ? 'browser' : undefined,
    openBrowser: flag !== 'no-browser',
    scopes: splitList(values.scopes),
    timeoutSec,
    json: values.json === true,
  };
}

interface LoginResult {
  exitCode: number;
  identity?: string;
  connection?: Connection;
}

async function runLogin(opts: LoginOptions, deps: Deps): Promise<number> {
  const connection = deps.state().get(opts.name);
  if (!connection) throw noSuchConnection(opts.name);
  if (connection.provider === 'github-app') {
    throw usageError(`"${opts.name}" is a GitHub App installation: it has no login, its tokens are minted from the App key`, `broker refresh ${opts.name}, or reconnect with --private-key-file`);
  }
  // A paste reads stdin to its end, which Ink would be reading too: paste stays plain.
  if (deps.mode === 'tty' && opts.method !== 'paste') {
    const { showLoginScreen } = await import('../ui/show-login.js');
    return showLoginScreen(async (report, signal) => (await login(connection, opts, deps, report, signal)).exitCode, deps.io, deps.now);
  }
  const report: LoginReporter = (step) => deps.io.stderr.write(`${formatLoginStep(step, deps.now())}\n`);
  const result = await login(connection, opts, deps, report, opts.signal);
  if (opts.json) deps.io.stdout.write(`${JSON.stringify({ ok: result.exitCode === exitCodes.ok, identity: result.identity, connection: result.connection }, null, 2)}\n`);
  else if (result.exitCode === exitCodes.ok) deps.io.stdout.write(`logged in ${opts.name} as ${result.identity}\n`);
  return result.exitCode;
}

/**
 * The whole login: tokens by the chosen method, the identity check, then store and record. Nothing is
 * stored unless the identity is the connection's account. Failures are reported as a step, not thrown.
 */
async function login(connection: Connection, opts: LoginOptions, deps: Deps, report: LoginReporter, signal?: AbortSignal): Promise<LoginResult> {
  const profile = providerProfile(connection.provider);
  const scopes = loginScopes(connection.scopes, opts.scopes, profile.discovery ? oidcDefaultScopes : []);
  if (profile.discovery && !scopes.includes('openid')) scopes.unshift('openid');
  let method: LoginMethod = opts.method ?? 'browser';
  try {
    // The whole entry: before the first login it may hold only the client secret (connect --client-secret-stdin).
    const previous = await deps.tokens().readEntry(connection.name);
    let bundle: HeldTokenBundle;
    let config: Configuration | undefined;
    let secretFp: string | undefined;
    if (opts.method === 'paste') {
      report({ kind: 'start', conn: connection.name, method, scopes, expected: connection.account });
      if (deps.io.stdin.isTTY) deps.io.stderr.write('paste the token (or its JSON bundle), then press Ctrl+D\n');
      const input = parseTokenInput(await readAll(deps.io.stdin), deps.now());
      if (!input.ok) throw usageError(input.error, `echo TOKEN | broker login ${connection.name} --paste`);
      bundle = { ...input.bundle, client_secret: previous?.client_secret, private_key: previous?.private_key };
      if (profile.discovery) config = (await configurationFor(connection, previous, deps)).config;
    } else {
      const loaded = await configurationFor(connection, previous, deps);
      config = loaded.config;
      secretFp = loaded.secretFp;
      method = opts.method ?? defaultMethod(config, deps.env, opts.preferDevice === true);
      report({ kind: 'start', conn: connection.name, method, scopes, expected: connection.account });
      const tokens: TokenEndpointResponse =
        method === 'device'
          ? await deviceLogin(config, { scopes, now: deps.now, report, signal })
          : await browserLogin(config, { scopes, loginHint: connection.account, timeoutSec: opts.timeoutSec, openBrowser: opts.openBrowser && opts.method === 'browser', env: deps.env, report, signal });
      bundle = bundleFromTokenResponse(tokens, deps.now(), previous);
      report({ kind: 'tokens' });
    }

    const seen = await fetchLoginIdentity(connection, bundle.access_token, config, deps.env);
    if (!seen && connection.account) deps.io.stderr.write(`broker: ${connection.provider} has no identity endpoint; the account ${connection.account} could not be checked\n`);
    const check = seen ? checkLoginIdentity(connection.account, seen) : { ok: true as const, identity: connection.account ?? 'unknown' };
    report({ kind: 'identity', identity: check.identity, expected: connection.account, ok: check.ok });
    if (!check.ok) {
      deps.appendEvent({ event: 'login', conn: connection.name, method, scopes, outcome: 'refused', identity: check.identity, error: 'wrong_account' });
      report({ kind: 'failed', message: check.message, hint: `sign in as ${check.expected}, or make another connection for ${check.identity}` });
      return { exitCode: exitCodes.failed, identity: check.identity };
    }

    await deps.tokens().write(connection.name, bundle);
    const now = deps.now().toISOString();
    const accessTokenFp = fingerprint(bundle.access_token);
    const updated = await deps.state().update(connection.name, (c) => ({
      ...c,
      // A connection made without --account is pinned to the first identity that logs in.
      account: c.account ?? (seen ? check.identity : undefined),
      scopes,
      accessTokenExpiresAt: bundle.expires_at,
      accessTokenFp,
      refreshTokenFp: bundle.refresh_token ? fingerprint(bundle.refresh_token) : undefined,
      refreshTokenObtainedAt: bundle.refresh_token ? now : undefined,
      clientSecretFp: secretFp ?? c.clientSecretFp,
      generation: c.generation + 1,
      lastError: undefined,
    }));
    deps.appendEvent({ event: 'login', conn: connection.name, method, scopes, outcome: 'ok', identity: check.identity });
    report({ kind: 'stored', accessTokenFp, expiresAt: bundle.expires_at });
    return { exitCode: exitCodes.ok, identity: check.identity, connection: updated };
  } catch (err) {
    const failure = describeFailure(err);
    deps.appendEvent({ event: 'login', conn: connection.name, method, scopes, outcome: 'error', error: failure.error });
    report({ kind: 'failed', message: failure.message, hint: failure.hint });
    return { exitCode: failure.exitCode };
  }
}

async function configurationFor(connection: Connection, previous: TokenBundle | null, deps: Deps): Promise<{ config: Configuration; secretFp?: string }> {
  if (!connection.clientId) throw usageError(`"${connection.name}" has no client id`, `re-create it with --client-id: broker connect ${connection.name} … --client-id ID`);
  const secret = loadClientSecret(connection, previous, deps);
  const config = await oauthConfiguration(serverForConnection(connection), { clientId: connection.clientId, clientSecret: secret.secret }, { env: deps.env });
  return { config, secretFp: secret.fp };
}

/** Over SSH, or with no display to open a browser in, the device code is the login that works (when the provider has one). */
function defaultMethod(config: Configuration, env: Readonly<Record<string, string | undefined>>, preferDevice: boolean): LoginMethod {
  const deviceOffered = Boolean(config.serverMetadata().device_authorization_endpoint);
  return deviceOffered && (preferDevice || env.SSH_CONNECTION || !canOpenBrowser(env)) ? 'device' : 'browser';
}

function describeFailure(err: unknown): { error: string; message: string; hint?: string; exitCode: number } {
  if (err instanceof OAuthError) return { error: err.failure.error, message: err.message, exitCode: exitCodes.failed };
  if (err instanceof BrokerError) return { error: 'login_failed', message: err.message, hint: err.hint, exitCode: err.exitCode };
  return { error: 'login_failed', message: err instanceof Error ? err.message : String(err), exitCode: exitCodes.failed };
}
