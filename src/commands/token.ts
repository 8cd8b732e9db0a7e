import { BrokerError, usageError } from '../core/broker-error.js';
import { exitCodes } from '../core/exit-codes.js';
import { fingerprint } from '../core/fingerprint.js';
import { ciSystemOf, personalInCiFix, personalInCiRefusal } from '../core/personal-in-ci.js';
import { connectionNameRule, isConnectionName, type Connection } from '../core/state-schema.js';
import type { HeldTokenBundle, TokenBundle } from '../core/token-bundle.js';
import { defineCommand, type OptionValues } from './command.js';
import type { Deps } from './deps.js';

export interface TokenOptions {
  name: string;
  allowPersonalInCi?: boolean;
}

/** Share of an access token's life after which `broker token` renews it before handing it out (docs/design.md §7). */
export const proactiveRefreshShare = 0.75;
const lastUsedPrecisionMs = 60_000;

export const tokenCommand = defineCommand<TokenOptions>({
  name: 'token',
  usage: `Usage: broker token NAME [--allow-personal-in-ci]

Prints a valid access token for NAME on stdout, and nothing else. Once 75% of the token's life is
gone it is refreshed first, one process at a time (other callers wait and use the new token).
A personal connection's token is not handed out in CI (CI, GITHUB_ACTIONS, GITLAB_CI, BUILDKITE,
JENKINS_URL … set): make a service connection for CI. --allow-personal-in-ci hands it out anyway,
and the event log says so.

Exit codes: 0 a token was printed; 1 the refresh failed, or refused in CI; 2 no such connection;
3 a login is needed (run \`broker login NAME\`).
`,
  options: { 'allow-personal-in-ci': { type: 'boolean' } },
  parse: (values: OptionValues, positionals: string[]) => ({ name: oneName('token', positionals), allowPersonalInCi: values['allow-personal-in-ci'] === true }),
  async run(opts, deps) {
    const ci = ciSystemOf(deps.env);
    const connection = deps.state().get(opts.name);
    const refusal = ci && connection ? personalInCiRefusal(connection, `this process (${ci} is set)`) : undefined;
    if (refusal && !opts.allowPersonalInCi) {
      deps.appendEvent({ event: 'token', conn: opts.name, outcome: 'refused', reason: 'personal-in-ci' });
      throw new BrokerError(refusal, exitCodes.failed, personalInCiFix);
    }
    const { accessToken, generation } = await validAccessToken(deps, opts.name);
    deps.io.stdout.write(`${accessToken}\n`);
    deps.appendEvent({ event: 'token', conn: opts.name, at_fp: fingerprint(accessToken), generation, ...(refusal ? { allowed: 'personal-in-ci' } : {}) });
    if (refusal) deps.io.stderr.write(`broker: warning: ${refusal}; handed out because of --allow-personal-in-ci (logged)\n`);
    // The token is out: bookkeeping that fails (a long-held state lock) must not turn that into a failure.
    // lastUsedAt to the minute is enough, and skipping the locked state write keeps hot callers fast.
    const now = deps.now();
    const lastUsed = deps.state().get(opts.name)?.lastUsedAt;
    try {
      if (!lastUsed || now.getTime() - Date.parse(lastUsed) >= lastUsedPrecisionMs) {
        await deps.state().update(opts.name, (c) => ({ ...c, lastUsedAt: now.toISOString() }));
      }
    } catch (err) {
      deps.io.stderr.write(`broker: warning: lastUsedAt not recorded: ${err instanceof Error ? err.message : String(err)}\n`);
    }
    return exitCodes.ok;
  },
});

/** The connection's access token, refreshed first when it is due; throws a BrokerError naming the fix otherwise. */
export async function validAccessToken(deps: Deps, name: string): Promise<{ accessToken: string; generation: number }> {
  let connection = deps.state().get(name);
  if (!connection) throw usageError(`no connection named "${name}"`, 'run `broker status` to list connections');
  if (connection.provider === 'github-app') {
    const { installationTokenFor } = await import('../adapters/github-app-token.js');
    return installationTokenFor(name, deps, { trigger: 'proactive' });
  }
  const settled = await readSettled(deps, name, connection);
  const { bundle } = settled;
  connection = settled.connection;
  if (connection.lastError) {
    // Only connections with a failure on record pay for the provider tables.
    const { grantRefusedSinceLastSuccess } = await import('../core/refused-grant.js');
    if (grantRefusedSinceLastSuccess(connection, bundle.refresh_token === undefined ? undefined : fingerprint(bundle.refresh_token))) {
      throw new BrokerError(refusedGrantMessage(name, connection.lastError), exitCodes.loginNeeded, `broker login ${name}`);
    }
  }
  const now = deps.now();
  if (!refreshIsDue(connection, bundle, now)) return { accessToken: bundle.access_token, generation: connection.generation };
  const expired = isExpired(bundle, now);
  if (!bundle.refresh_token) {
    if (!expired) return { accessToken: bundle.access_token, generation: connection.generation };
    throw new BrokerError(`the access token of "${name}" has expired and there is no refresh token`, exitCodes.loginNeeded, `broker login ${name}`);
  }
  // Loaded only when a refresh is due: a cached token never pays for the OAuth client.
  const { refreshUnderLock } = await import('../adapters/refresh-under-lock.js');
  try {
    const result = await refreshUnderLock(deps, { conn: name, trigger: 'proactive', seenAccessTokenFp: fingerprint(bundle.access_token) });
    return { accessToken: result.bundle.access_token, generation: result.connection.generation };
  } catch (err) {
    // A refresh that failed for a passing reason (network, 5xx, a busy lock) does not make a still
    // valid token useless: hand it out and say so. A revoked grant or a refused client does.
    const fatal = !(err instanceof BrokerError) || err.exitCode === exitCodes.loginNeeded || (err as { fatal?: boolean }).fatal === true;
    if (expired || fatal) throw err;
    deps.io.stderr.write(`broker: warning: ${err.message}; handing out the current token, which expires at ${bundle.expires_at}\n`);
    return { accessToken: bundle.access_token, generation: connection.generation };
  }
}

/** Why a connection whose refresh token the provider refused, with nothing succeeded since, hands out no token. */
export function refusedGrantMessage(name: string, refused: { error: string; at: string }): string {
  return `the provider refused the refresh token of "${name}" (${refused.error} at ${refused.at}) and nothing has succeeded since: its tokens are revoked`;
}

/**
 * A refresh writes the bundle, then state.json, under the connection's lock: a reader between the two
 * writes sees a new token with the old generation. When the two disagree, wait for the lock and read again.
 */
export async function readSettled(deps: Deps, name: string, connection: Connection): Promise<{ connection: Connection; bundle: HeldTokenBundle }> {
  const readBundle = async (): Promise<HeldTokenBundle> => {
    const bundle = await deps.tokens().read(name);
    if (!bundle) throw new BrokerError(`"${name}" has no token yet`, exitCodes.loginNeeded, `broker login ${name}`);
    return bundle;
  };
  const bundle = await readBundle();
  if (connection.accessTokenFp === undefined || fingerprint(bundle.access_token) === connection.accessTokenFp) return { connection, bundle };
  const { acquireRefreshLock } = await import('../adapters/refresh-lock.js');
  const lock = await acquireRefreshLock(deps.paths, name, deps.env);
  try {
    return { bundle: await readBundle(), connection: deps.state().get(name) ?? connection };
  } finally {
    await lock.release();
  }
}

/**
 * Pure: is 75% of the access token's life gone? Its life starts at the latest time a token was
 * obtained (refresh, login or connect); a token without an expiry never needs a refresh.
 */
export function refreshIsDue(connection: Connection, bundle: TokenBundle, now: Date): boolean {
  if (!bundle.expires_at) return false;
  const expiresAt = Date.parse(bundle.expires_at);
  const obtained = [connection.lastRefreshAt, connection.refreshTokenObtainedAt, connection.createdAt]
    .filter((t): t is string => t !== undefined)
    .map((t) => Date.parse(t))
    .filter((t) => t <= expiresAt);
  const issuedAt = obtained.length > 0 ? Math.max(...obtained) : expiresAt;
  const life = expiresAt - issuedAt;
  return now.getTime() >= issuedAt + life * proactiveRefreshShare;
}

function isExpired(bundle: TokenBundle, now: Date): boolean {
  return bundle.expires_at !== undefined && Date.parse(bundle.expires_at) <= now.getTime();
}

export function oneName(command: string, positionals: string[]): string {
  const [name, ...extra] = positionals;
  if (!name || extra.length > 0) throw usageError(`${command} takes exactly one NAME`, `broker ${command} NAME`);
  if (!isConnectionName(name)) throw usageError(`"${name}" is not a connection name`, `a connection name is ${connectionNameRule}`);
  return name;
}
