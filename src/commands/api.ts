import { apiBaseOf, apiUrl } from '../core/api-base.js';
import { BrokerError, usageError } from '../core/broker-error.js';
import { parseJson, requestEvent } from '../core/request-event.js';
import type { Connection } from '../core/state-schema.js';
import { exitCodes } from '../core/exit-codes.js';
import { fingerprint } from '../core/fingerprint.js';
import { connectionSecrets, scrubStrings, secretScrubber, type Scrub } from '../core/scrub-secrets.js';
import { stripControl } from '../core/strip-control.js';
import { clientSecretFromSource } from '../adapters/client-secret.js';
import { installationTokenFor } from '../adapters/github-app-token.js';
import { outboundFetchFor, type OutboundFetch } from '../adapters/outbound-http.js';
import { defineCommand, type OptionValues } from './command.js';
import type { Deps } from './deps.js';
import { refuseMissingScope, refuseOutsideInstallation } from './api-preflight.js';
import { validAccessToken } from './token.js';

// The `request` event is built in one place for `broker api` and `broker serve`.
export { requestEvent } from '../core/request-event.js';

export interface ApiOptions {
  name: string;
  path: string;
  method: string;
  data?: string;
  json: boolean;
}


export const apiCommand = defineCommand<ApiOptions>({
  name: 'api',
  usage: `Usage: broker api NAME PATH [-X METHOD] [-d BODY] [--json]

Sends PATH to the connection's API (GitHub: api.github.com, or the connection's --api-base-url) with its
token, prints the response body on stdout and the status on stderr, and logs a \`request\` event.
Redirects are followed within the API's origin only; one to another origin is not followed (the token
and body stay), and exits 1 like an answer of HTTP 400 or above.

Options:
  -X, --method METHOD   GET (default), POST, PUT, PATCH, DELETE
  -d, --data BODY       request body (JSON sent as application/json)
  --json                print {"status", "headers", "body"} as one JSON document
`,
  options: {
    method: { type: 'string', short: 'X' },
    data: { type: 'string', short: 'd' },
    json: { type: 'boolean' },
  },
  parse: parseApiOptions,
  async run(opts, deps) {
    const connection = deps.state().get(opts.name);
    if (!connection) throw usageError(`no connection named "${opts.name}"`, 'run `broker status` to list connections');
    const base = apiBaseOf(connection);
    if (!base) throw usageError(`"${opts.name}" has no API base`, `set one: broker connect ${opts.name} … --api-base-url URL`);
    const url = apiUrl(base, opts.path);
    const path = opts.path.split('?')[0] ?? opts.path;
    // Identity before the call, as serve does it: what the credential cannot serve is not sent.
    await refuseOutsideInstallation(deps, connection, opts.method, path, url);

    const outbound = outboundFetchFor(deps.env);
    let token = (await validAccessToken(deps, opts.name)).accessToken;
    await refuseMissingScope(deps, connection, opts.method, path, url, fingerprint(token));
    let scrub = await scrubberFor(connection, token, deps);
    let answer = await send(outbound, url, opts, token, deps, scrub);
    // One reactive refresh (docs/design.md §7): the held token may have been revoked or rotated under us.
    if (answer.status === 401) {
      const renewed = await renewAfter401(connection, token, deps);
      if (renewed) {
        token = renewed;
        scrub = await scrubberFor(connection, token, deps);
        answer = await send(outbound, url, opts, token, deps, scrub);
      }
    }

    // A redirect that was not followed is an answer the caller did not get.
    const ok = answer.status < 400 && !answer.refusedRedirect;
    const where = `${answer.finalUrl.host}${answer.finalUrl.pathname}`;
    deps.io.stderr.write(`HTTP ${answer.status} ${answer.statusText} (${opts.method} ${where}, ${answer.durationMs} ms)\n`);
    if (answer.refusedRedirect) {
      deps.io.stderr.write(`broker: not following the redirect to ${answer.refusedRedirect.host}: another origin than ${answer.finalUrl.host} (the token and body stay with the connection's API)\n`);
    }
    if (opts.json) {
      deps.io.stdout.write(`${JSON.stringify({ status: answer.status, headers: answer.headers, body: parseJson(answer.body) ?? answer.body }, null, 2)}\n`);
    } else if (answer.body !== '') {
      const text = deps.mode === 'tty' ? stripControl(answer.body) : answer.body;
      deps.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    }
    return ok ? exitCodes.ok : exitCodes.failed;
  },
});

interface Answer {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: string;
  durationMs: number;
  /** Where the answer came from, after same-origin redirects. */
  finalUrl: URL;
  redirects: number;
  refusedRedirect?: URL;
}

/**
 * Every secret of the connection, so an API that echoes the bearer token (or anything else the
 * connection holds) in a 401 body, a header or its reason phrase has it cut out of the log, stderr and stdout.
 */
async function scrubberFor(connection: Connection, token: string, deps: Deps): Promise<Scrub> {
  const entry = await deps.tokens().readEntry(connection.name);
  let clientSecret: string | undefined;
  try {
    clientSecret = connection.clientSecretSource ? clientSecretFromSource(connection.name, connection.clientSecretSource, entry, deps.env) : undefined;
  } catch {
    // A source that cannot be read now holds nothing this answer could echo.
  }
  return secretScrubber(connectionSecrets({ clientId: connection.clientId, clientSecret, bundle: entry, env: deps.env, also: [{ kind: 'access_token', value: token }] }));
}

async function send(outbound: OutboundFetch, url: URL, opts: ApiOptions, token: string, deps: Deps, scrub: Scrub): Promise<Answer> {
  const started = Date.now();
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/vnd.github+json, application/json;q=0.9, */*;q=0.5', 'user-agent': 'broker' };
  if (opts.data !== undefined) headers['content-type'] = parseJson(opts.data) === undefined ? 'application/x-www-form-urlencoded' : 'application/json';
  let res: Awaited<ReturnType<OutboundFetch>>;
  try {
    res = await outbound(url, { method: opts.method, headers, body: opts.data, signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    if (err instanceof BrokerError) throw err;
    throw new BrokerError(`${opts.method} ${url.host}${url.pathname} failed: ${scrub((err as Error).message)}`, exitCodes.failed);
  }
  const body = await res.text();
  const answer: Answer = scrubStrings(
    { status: res.status, statusText: res.statusText, headers: Object.fromEntries(res.headers), body, durationMs: Date.now() - started, finalUrl: res.finalUrl, redirects: res.redirects, refusedRedirect: res.refusedRedirect },
    scrub,
  );
  deps.appendEvent(requestEvent(opts.name, opts.method, answer, fingerprint(token)));
  return answer;
}

/** A new token after a 401: a fresh mint for GitHub Apps, a refresh under the lock where a refresh token exists. */
async function renewAfter401(connection: Connection, rejected: string, deps: Deps): Promise<string | undefined> {
  const rejectedFp = fingerprint(rejected);
  if (connection.provider === 'github-app') {
    deps.io.stderr.write(`broker: HTTP 401 with token ${rejectedFp}; minting a new one and retrying once\n`);
    return (await installationTokenFor(connection.name, deps, { trigger: 'reactive', force: true })).accessToken;
  }
  if (!(await deps.tokens().read(connection.name))?.refresh_token) return undefined;
  deps.io.stderr.write(`broker: HTTP 401 with token ${rejectedFp}; refreshing and retrying once\n`);
  const { refreshUnderLock } = await import('../adapters/refresh-under-lock.js');
  // seenAccessTokenFp: if another process already replaced the rejected token, use theirs instead of refreshing again.
  return (await refreshUnderLock(deps, { conn: connection.name, trigger: 'reactive', seenAccessTokenFp: rejectedFp })).bundle.access_token;
}

function parseApiOptions(values: OptionValues, positionals: string[]): ApiOptions {
  const [name, path, ...extra] = positionals;
  if (!name || !path || extra.length > 0) throw usageError('api takes NAME and PATH', 'broker api NAME /repos/OWNER/REPO');
  if (/^[a-z][a-z0-9+.-]*:/i.test(path)) throw usageError('PATH is a path on the connection\'s API, not a URL', 'broker api NAME /user');
  const method = typeof values.method === 'string' ? values.method.toUpperCase() : 'GET';
  if (!/^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)$/.test(method)) throw usageError(`-X ${method} is not an HTTP method`);
  return { name, path, method, data: values.data as string | undefined, json: values.json === true };
}
