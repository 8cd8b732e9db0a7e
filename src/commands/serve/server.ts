import { personalInCiRefusal } from '../../core/personal-in-ci.js';
import { chmodSync, existsSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { agentKeyHash, brokerKeyOf } from '../../core/agent-keys.js';
import { apiBaseOf, apiUrl } from '../../core/api-base.js';
import { missingScope, refusalAnswer, refusalEvent, scopeHintFrom, wrongInstallation, type Refusal, type RefusalAlternatives } from '../../core/preflight.js';
import { requestEvent, type NewRequestEvent } from '../../core/request-event.js';
import { connectionSecrets, scrubStrings, secretScrubber, type Scrub } from '../../core/scrub-secrets.js';
import type { ServeRuntime } from '../../core/serve-runtime.js';
import type { Agent, Connection } from '../../core/state-schema.js';
import { stripControl } from '../../core/strip-control.js';
import { alternativesForOwner, type InstallationRef } from '../../adapters/github-installations.js';
import { writeServeRuntime } from '../../adapters/serve/runtime-file.js';
import { cachedState, storeState, type StateSnapshot } from '../../adapters/serve/state-snapshot.js';
import { closeUpstreamConnections, upstreamSender, UpstreamRefusedError, UpstreamTimeoutError, type UpstreamResponse } from '../../adapters/serve/upstream.js';
import type { NewEvent } from '../../core/events.js';
import type { Deps } from '../deps.js';
import { CappedBuffer, decoded, headerSafe, loggedHeaders, readCapped, requestBody, responseHeaders, ScopeHints, upstreamHeaders, type RequestBody } from './http-messages.js';
import { ConnectionUnavailableError, TokenKeeper, type HeldToken } from './token-keeper.js';

// `broker serve` (docs/design.md §13): the agent-facing reverse proxy and token endpoint.
//   /NAME/<path>       → the connection's API base, with the real Authorization injected
//   GET /v1/token/NAME → {"access_token", "expires_at"} for SDKs that must hold a token
// Every call needs a broker key (brk_…) and is written to the event log with its agent, before the
// caller has the end of its answer.

export interface ServeListenOptions {
  port: number;
  host: string;
  socket?: string;
}

export interface RunningServe {
  /** http://HOST:PORT, or unix:PATH. */
  url: string;
  runtime: ServeRuntime;
  /** Stops accepting, lets calls in flight finish (up to timeoutMs, then cuts them), closes upstream sockets. */
  drain(timeoutMs: number): Promise<void>;
}

/** Error bodies are read up to this size for the provider's error words (never logged whole). */
const capturedBodyBytes = 64 * 1024;
const headersTimeoutMs = 30_000;
const lastUsedPrecisionMs = 60_000;
const installationsCacheMs = 5 * 60_000;

export async function startServe(listen: ServeListenOptions, deps: Deps): Promise<RunningServe> {
  // state.json in the home, or the shared database's connections and agents.
  const state = deps.store.eventTable ? storeState(deps.store) : cachedState(deps.paths.state);
  const sendUpstream = upstreamSender(deps.env);
  const started = deps.now();
  let runtime: ServeRuntime;
  let lastErrorWrittenAt = 0;
  const recordLastError = (conn: string | undefined, message: string): void => {
    const now = Date.now();
    runtime = { ...runtime, lastError: { at: new Date(now).toISOString(), ...(conn ? { conn } : {}), message: message.slice(0, 500) } };
    // A failing upstream can fail a thousand calls a second: the file is rewritten at most once a second.
    if (now - lastErrorWrittenAt < 1_000) return;
    lastErrorWrittenAt = now;
    try {
      writeServeRuntime(deps.paths, runtime);
    } catch (err) {
      deps.io.stderr.write(`broker serve: cannot update serve.json: ${(err as Error).message}\n`);
    }
  };
  const keeper = new TokenKeeper(deps, { onFailure: (conn, message) => recordLastError(conn, message) });
  const hints = new ScopeHints();
  const installations = new Map<number, { at: number; list: InstallationRef[] }>();
  const lastUsedWrites = new Map<string, number>();
  let draining = false;
  let self = '';
  let publicUrl = '';

  const server = createServer({ noDelay: true, keepAliveTimeout: 5_000, requestTimeout: 0 });

  // A provider may echo the token it was sent (in a 401's message, say): the error words of an event
  // are scrubbed of it before they are written. One scrubber per token, built on the first error.
  const scrubbers = new Map<string, Scrub>();
  const scrubbed = (event: NewRequestEvent, connection: Connection, token: HeldToken): NewRequestEvent => {
    if (event.error === undefined && event.error_description === undefined) return event;
    let scrub = scrubbers.get(token.fp);
    if (!scrub) {
      if (scrubbers.size >= 16) scrubbers.clear();
      scrub = secretScrubber(connectionSecrets({ clientId: connection.clientId, also: [{ kind: 'access_token', value: token.accessToken }] }));
      scrubbers.set(token.fp, scrub);
    }
    return scrubStrings(event, scrub);
  };

  const write = (event: NewEvent, agent?: Agent): void => {
    deps.appendEvent(agent ? { ...event, agent: agent.name, ...(agent.ci ? { ci: true } : {}) } : event);
  };

  const answerJson = (res: ServerResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void => {
    const text = `${JSON.stringify(body)}\n`;
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'content-length': Buffer.byteLength(text),
      ...(draining ? { connection: 'close' } : {}),
      ...headers,
    });
    res.end(text);
  };

  /** A call the broker answers itself, logged as a `request` with what happened instead of an upstream status. */
  const brokerAnswer = (res: ServerResponse, call: Call, status: number, outcome: NonNullable<NewRequestEvent['outcome']>, reason: string, body: Record<string, unknown>, extra: { conn?: string; agent?: Agent; target?: string; headers?: OutgoingHttpHeaders } = {}): void => {
    write({ event: 'request', ...(extra.conn ? { conn: extra.conn } : {}), method: call.method, target: extra.target ?? self, path: call.pathname, status, duration_ms: call.elapsed(), outcome, reason }, extra.agent);
    answerJson(res, status, { ...body, refused_by: 'broker' }, extra.headers);
  };

  // Keys already seen in this snapshot of state.json: a sha256 per call was a measurable share of the CPU.
  const knownKeys = new WeakMap<StateSnapshot, Map<string, Agent>>();
  const authenticate = (call: Call, res: ServerResponse, snapshot: StateSnapshot): Agent | undefined => {
    const key = brokerKeyOf(call.req.headers.authorization);
    let known = knownKeys.get(snapshot);
    if (!known) knownKeys.set(snapshot, (known = new Map()));
    let agent = key === undefined ? undefined : known.get(key);
    if (key !== undefined && !agent) {
      agent = snapshot.agentsByKeyHash.get(agentKeyHash(key));
      if (agent && known.size < 1_000) known.set(key, agent);
    }
    if (agent) return agent;
    const reason = key === undefined ? 'no-key' : 'unknown-key';
    brokerAnswer(res, call, 401, 'unauthenticated', reason, {
      error: 'broker_key_required',
      message: key === undefined ? 'this is broker serve: every call needs a broker key (Authorization: Bearer brk_…)' : 'this broker key is not known (removed, or made in another broker home)',
      fix: 'make a key with `broker agent add NAME --conn CONNECTION` and send it as "Authorization: Bearer brk_…"',
    }, { headers: { 'www-authenticate': 'Bearer realm="broker"' } });
    return undefined;
  };

  /** The connection the agent asked for, if its key grants it; otherwise answered 403 here. */
  const grantedConnection = (call: Call, res: ServerResponse, snapshot: StateSnapshot, agent: Agent, name: string): Connection | undefined => {
    const connection = snapshot.connections[name];
    if (connection && agent.connections.includes(name)) return connection;
    // Which connections exist is not told to an agent that may not use them.
    brokerAnswer(res, call, 403, 'forbidden', 'connection-not-granted', {
      error: 'connection_not_granted',
      message: `agent "${agent.name}" may use ${agent.connections.length > 0 ? agent.connections.map((c) => `"${c}"`).join(', ') : 'no connection'}, not "${name}"`,
      fix: `grant it: broker agent remove ${agent.name} && broker agent add ${agent.name} --conn ${[...agent.connections, name].join(',')}`,
    }, { conn: connection ? name : undefined, agent });
    return undefined;
  };

  const unavailable = (res: ServerResponse, call: Call, connection: Connection, agent: Agent, err: ConnectionUnavailableError, target: string): void => {
    const retryAfterS = Math.max(1, Math.ceil((err.retryAt - Date.now()) / 1000));
    brokerAnswer(res, call, 503, 'unavailable', err.failureCause, {
      error: 'connection_unavailable',
      conn: connection.name,
      cause: err.failureCause,
      lasting: err.lasting,
      message: err.lasting
        ? `${err.message}. It will not pass by itself: serve stops refreshing "${connection.name}" on every call and tries again in ${retryAfterS} s, or as soon as a login or a fix lands.`
        : `${err.message}. serve backs off and tries again in ${retryAfterS} s.`,
      fix: err.hint ?? `broker doctor --conn ${connection.name}`,
      diagnose: `broker doctor --conn ${connection.name}`,
      retry_after_s: retryAfterS,
    }, { conn: connection.name, agent, target, headers: { 'retry-after': String(retryAfterS) } });
  };

  const touchLastUsed = (connection: Connection): void => {
    const now = deps.now().getTime();
    const last = Math.max(lastUsedWrites.get(connection.name) ?? 0, connection.lastUsedAt ? Date.parse(connection.lastUsedAt) : 0);
    if (now - last < lastUsedPrecisionMs) return;
    lastUsedWrites.set(connection.name, now);
    deps.state().update(connection.name, (c) => ({ ...c, lastUsedAt: new Date(now).toISOString() })).catch((err: Error) => {
      deps.io.stderr.write(`broker serve: warning: lastUsedAt of ${connection.name} not recorded: ${err.message}\n`);
    });
  };

  // The App's installations, looked up once in a while: a refusal must not cost a GitHub call each time.
  const installationsOf = async (appId: number, load: () => Promise<InstallationRef[]>): Promise<InstallationRef[]> => {
    const cached = installations.get(appId);
    if (cached && Date.now() - cached.at < installationsCacheMs) return cached.list;
    try {
      const list = await load();
      installations.set(appId, { at: Date.now(), list });
      return list;
    } catch (err) {
      // A failed lookup is tried again after half a minute, not on every refused call.
      installations.set(appId, { at: Date.now() - installationsCacheMs + 30_000, list: [] });
      throw err;
    }
  };

  const alternativesFor = (connection: Connection, refusal: Refusal, snapshot: StateSnapshot, agent: Agent): Promise<RefusalAlternatives> => {
    if (refusal.reason !== 'wrong-installation') return Promise.resolve({});
    return alternativesForOwner(connection, refusal.owner, Object.values(snapshot.connections), {
      preferred: agent.connections,
      privateKey: async () => (await deps.tokens().read(connection.name))?.private_key,
      installations: installationsOf,
      warn: (message) => deps.io.stderr.write(`broker serve: ${stripControl(message)}\n`),
    });
  };

  const refuse = (res: ServerResponse, call: Call, connection: Connection, agent: Agent, url: URL, rest: string, refusal: Refusal, alternatives: RefusalAlternatives): void => {
    const answer = refusalAnswer(connection, call.method, rest, refusal, alternatives);
    write({ ...refusalEvent(connection.name, call.method, url, refusal, alternatives), duration_ms: call.elapsed() }, agent);
    answerJson(res, answer.status, answer.body);
  };

  const proxy = async (call: Call, res: ServerResponse, snapshot: StateSnapshot, agent: Agent, name: string, rest: string, search: string): Promise<void> => {
    const connection = grantedConnection(call, res, snapshot, agent, name);
    if (!connection) return void call.req.resume();
    if (/(^|\/)(\.|%2e){1,2}(\/|$)/i.test(rest)) {
      call.req.resume();
      return brokerAnswer(res, call, 400, 'forbidden', 'dot-segment', { error: 'bad_path', message: 'a path with . or .. segments could leave the API base; send the path as the API names it' }, { conn: name, agent });
    }
    const base = apiBaseOf(connection);
    if (!base) {
      call.req.resume();
      return brokerAnswer(res, call, 502, 'failed', 'no-api-base', { error: 'no_api_base', message: `"${name}" has no API base`, fix: `broker connect ${name} … --api-base-url URL` }, { conn: name, agent });
    }
    const url = apiUrl(base, `${rest}${search}`);

    // Identity before the call: what the installation cannot see is refused before any token is used.
    const outside = wrongInstallation(connection, rest);
    if (outside) {
      call.req.resume();
      return refuse(res, call, connection, agent, url, rest, outside, await alternativesFor(connection, outside, snapshot, agent));
    }

    let token: HeldToken;
    try {
      token = await keeper.token(connection, agent.name);
    } catch (err) {
      call.req.resume();
      if (err instanceof ConnectionUnavailableError) return unavailable(res, call, connection, agent, err, url.host);
      throw err;
    }
    const lacking = missingScope(hints.get(name, token.fp, call.method, rest));
    if (lacking) {
      call.req.resume();
      return refuse(res, call, connection, agent, url, rest, lacking, {});
    }

    let body: RequestBody;
    try {
      body = await requestBody(call.req);
    } catch {
      write({ event: 'request', conn: name, method: call.method, target: url.host, path: url.pathname, status: 499, at_fp: token.fp, duration_ms: call.elapsed(), outcome: 'failed', reason: 'client-closed' }, agent);
      return;
    }
    const upstreamBase = { base, prefix: listen.socket ? undefined : `${publicUrl}/${name}` };
    await forward(call, res, connection, agent, url, rest, token, body, upstreamBase, 0);
  };

  const forward = async (call: Call, res: ServerResponse, connection: Connection, agent: Agent, url: URL, rest: string, token: HeldToken, body: RequestBody, rewrite: { base: string; prefix?: string }, attempt: number): Promise<void> => {
    // A caller that goes away takes the provider's answer down with it. (No AbortController per call:
    // at thousands of calls a second its event-target machinery cost more than the rest of the proxy.)
    let clientGone = false;
    let answering: UpstreamResponse | undefined;
    const onClientGone = (): void => {
      if (res.writableFinished) return;
      clientGone = true;
      answering?.body.destroy();
    };
    res.once('close', onClientGone);
    let upstream: UpstreamResponse;
    try {
      upstream = await sendUpstream(url, { method: call.method, headers: upstreamHeaders(call.req.headers, token.accessToken, url.host), body: body.content, headersTimeoutMs });
      answering = upstream;
      if (clientGone) upstream.body.destroy();
    } catch (err) {
      res.off('close', onClientGone);
      if (clientGone) {
        write({ event: 'request', conn: connection.name, method: call.method, target: url.host, path: url.pathname, status: 499, at_fp: token.fp, duration_ms: call.elapsed(), outcome: 'failed', reason: 'client-closed' }, agent);
        return;
      }
      const timeout = err instanceof UpstreamTimeoutError;
      const message = `${call.method} ${url.host}${url.pathname} failed: ${(err as Error).message}`;
      recordLastError(connection.name, message);
      return brokerAnswer(res, call, timeout ? 504 : 502, 'failed', err instanceof UpstreamRefusedError ? 'outbound-policy' : timeout ? 'upstream-timeout' : 'upstream-unreachable', {
        error: timeout ? 'upstream_timeout' : 'upstream_unreachable',
        message,
      }, { conn: connection.name, agent, target: url.host });
    }
    const countSent = body.countSent();

    if (upstream.status === 401 && attempt === 0) {
      if (body.replayable) {
        let renewed: HeldToken | undefined;
        let failure: ConnectionUnavailableError | undefined;
        try {
          renewed = await keeper.renewAfter401(connection, token.fp, agent.name);
        } catch (err) {
          if (err instanceof ConnectionUnavailableError) failure = err;
          else deps.io.stderr.write(`broker serve: renewing ${connection.name} after a 401 failed: ${stripControl((err as Error).message)}\n`);
        }
        if ((renewed && renewed.fp !== token.fp) || failure) {
          // The provider's 401 is logged (stale-token reads it), then the call is retried once or answered 503.
          const rejected = await readCapped(upstream.body, capturedBodyBytes).catch(() => Buffer.alloc(0));
          res.off('close', onClientGone);
          const event = requestEvent(connection.name, call.method, { finalUrl: url, status: 401, headers: loggedHeaders(upstream.headers), body: decoded(rejected, upstream.headers), durationMs: call.elapsed() }, token.fp);
          write({ ...scrubbed(event, connection, token), request_bytes: countSent() }, agent);
          if (failure) return unavailable(res, call, connection, agent, failure, url.host);
          return forward(call, res, connection, agent, url, rest, renewed!, body, rewrite, 1);
        }
      } else {
        // The body streamed and cannot be sent again: the 401 goes back as it is, the next call gets a new token.
        keeper.renewAfter401(connection, token.fp, agent.name).catch(() => undefined);
      }
    }

    const contentType = String(upstream.headers['content-type'] ?? '');
    const eventStream = contentType.includes('text/event-stream');
    const headers = responseHeaders(upstream.rawHeaders, rewrite);
    if (draining) headers.push('connection', 'close');
    if (token.warning) headers.push('x-broker-warning', headerSafe(token.warning));
    res.writeHead(upstream.status, upstream.statusText, headers);
    // Server-sent events: the caller must see the headers now, not with the first event.
    if (eventStream) res.flushHeaders();

    const capture = !eventStream && (upstream.status >= 400 || contentType.includes('json')) ? new CappedBuffer(capturedBodyBytes) : undefined;
    let responseBytes = 0;
    let done = false;
    const finish = (failed?: string): void => {
      if (done) return;
      done = true;
      res.off('close', onClientGone);
      const flat = loggedHeaders(upstream.headers);
      // A 2xx body is only read for error words when it has some (Slack answers failures with 200 and ok:false).
      const text = capture && !failed ? decoded(capture.content(), upstream.headers) : '';
      const event = requestEvent(connection.name, call.method, { finalUrl: url, status: upstream.status, headers: flat, body: upstream.status >= 400 || text.includes('"error') ? text : '', durationMs: call.elapsed() }, token.fp);
      write({ ...scrubbed(event, connection, token), request_bytes: countSent(), response_bytes: responseBytes, ...(failed ? { outcome: 'failed' as const, reason: failed } : {}) }, agent);
      const hint = scopeHintFrom(upstream.status, flat, new Date().toISOString());
      if (hint) hints.set(connection.name, token.fp, call.method, rest, hint);
      if (!failed) touchLastUsed(connection);
    };
    upstream.body.on('data', (chunk: Buffer) => {
      responseBytes += chunk.length;
      capture?.add(chunk);
      if (!res.write(chunk)) upstream.body.pause();
    });
    res.on('drain', () => upstream.body.resume());
    upstream.body.once('end', () => {
      // Logged before the caller has the end of its answer: a caller that has its answer finds its event.
      finish();
      res.end();
    });
    upstream.body.once('close', () => {
      if (done) return;
      finish(clientGone ? 'client-closed' : 'upstream-closed');
      res.destroy();
    });
    upstream.body.once('error', () => undefined);
  };

  const tokenEndpoint = async (call: Call, res: ServerResponse, snapshot: StateSnapshot, agent: Agent, name: string): Promise<void> => {
    call.req.resume();
    if (call.method !== 'GET') return brokerAnswer(res, call, 405, 'forbidden', 'method', { error: 'method_not_allowed', message: 'GET /v1/token/NAME' }, { agent, headers: { allow: 'GET' } });
    const connection = grantedConnection(call, res, snapshot, agent, name);
    if (!connection) return;
    const refusal = agent.ci ? personalInCiRefusal(connection, `agent "${agent.name}" (made with --ci)`) : undefined;
    if (refusal) {
      return brokerAnswer(res, call, 403, 'forbidden', 'personal-connection-for-ci', {
        error: 'personal_connection_for_ci',
        message: refusal,
        fix: `make a service connection for CI (broker connect NAME --kind service …) and grant it to "${agent.name}", or call the API through serve (${publicUrl}/${name}/…), which never hands the token out`,
      }, { conn: name, agent });
    }
    let token: HeldToken;
    try {
      token = await keeper.token(connection, agent.name);
    } catch (err) {
      if (err instanceof ConnectionUnavailableError) return unavailable(res, call, connection, agent, err, self);
      throw err;
    }
    write({ event: 'token', conn: name, at_fp: token.fp, generation: token.generation }, agent);
    answerJson(res, 200, { access_token: token.accessToken, expires_at: token.expiresAt ?? null, token_type: 'Bearer' }, token.warning ? { 'x-broker-warning': headerSafe(token.warning) } : {});
    touchLastUsed(connection);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const startedAt = performance.now();
    const raw = req.url ?? '/';
    const query = raw.indexOf('?');
    const pathname = query < 0 ? raw : raw.slice(0, query);
    const call: Call = { req, method: req.method ?? 'GET', pathname: pathname.slice(0, 2048), elapsed: () => Math.round(performance.now() - startedAt) };
    if (!raw.startsWith('/')) {
      // An absolute URL: the caller uses serve as its HTTP proxy (HTTP_PROXY pointing at the broker).
      req.resume();
      return brokerAnswer(res, { ...call, pathname: '' }, 400, 'forbidden', 'not-a-proxy', notAProxy);
    }
    let snapshot: StateSnapshot;
    try {
      snapshot = state.current();
    } catch (err) {
      req.resume();
      return answerJson(res, 500, { error: 'state_unreadable', message: `${deps.paths.state} cannot be read: ${(err as Error).message}`, fix: 'repair or restore state.json; serve reads it again on the next call', refused_by: 'broker' });
    }
    const agent = authenticate(call, res, snapshot);
    if (!agent) return void req.resume();
    const tokenRoute = /^\/v1\/token\/([^/]+)$/.exec(pathname);
    if (tokenRoute) return tokenEndpoint(call, res, snapshot, agent, tokenRoute[1] ?? '');
    const route = /^\/([A-Za-z0-9][A-Za-z0-9._-]{0,63})(\/.*)?$/.exec(pathname);
    if (!route || route[1] === 'v1') {
      req.resume();
      return brokerAnswer(res, call, 404, 'forbidden', 'no-route', { error: 'not_found', message: 'serve answers /CONNECTION/<path> (the connection\'s API) and GET /v1/token/CONNECTION' }, { agent });
    }
    return proxy(call, res, snapshot, agent, route[1] ?? '', route[2] ?? '/', query < 0 ? '' : raw.slice(query));
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (draining) res.once('finish', () => server.closeIdleConnections());
    handle(req, res).catch((err: Error) => {
      deps.io.stderr.write(`broker serve: unexpected error on ${req.method} ${stripControl((req.url ?? '').split('?')[0] ?? '')}: ${stripControl(err.message)}\n`);
      recordLastError(undefined, err.message);
      if (!res.headersSent) answerJson(res, 500, { error: 'broker_error', message: err.message, refused_by: 'broker' });
      else res.destroy();
    });
  });
  // CONNECT: the caller put the broker in its HTTPS_PROXY. It is not a proxy, and says so.
  server.on('connect', (req: IncomingMessage, socket) => {
    deps.appendEvent({ event: 'request', method: 'CONNECT', target: self, path: '', status: 405, duration_ms: 0, outcome: 'forbidden', reason: 'not-a-proxy' });
    const text = `${JSON.stringify({ ...notAProxy, refused_by: 'broker' })}\n`;
    socket.end(`HTTP/1.1 405 Method Not Allowed\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`);
  });

  await listenOn(server, listen);
  const address = server.address();
  if (listen.socket) {
    chmodSync(listen.socket, 0o600);
    publicUrl = `unix:${listen.socket}`;
    self = 'unix';
  } else {
    const port = (address as AddressInfo).port;
    const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
    publicUrl = `http://${host}:${port}`;
    self = `${host}:${port}`;
  }
  runtime = { pid: process.pid, host: hostname(), url: publicUrl, started: started.toISOString() };
  writeServeRuntime(deps.paths, runtime);

  return {
    url: publicUrl,
    get runtime() {
      return runtime;
    },
    async drain(timeoutMs) {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const cut = setTimeout(() => server.closeAllConnections(), timeoutMs);
      await closed;
      clearTimeout(cut);
      closeUpstreamConnections();
      state.close();
      if (listen.socket) rmSync(listen.socket, { force: true });
    },
  };
}

interface Call {
  req: IncomingMessage;
  method: string;
  /** The path asked for, without the query (which can carry secrets). */
  pathname: string;
  elapsed(): number;
}

const notAProxy = {
  error: 'not_a_proxy',
  message: 'broker serve is not an HTTP proxy: call http://127.0.0.1:PORT/CONNECTION/<path> instead of the API, and leave HTTPS_PROXY/HTTP_PROXY as they are',
  fix: 'broker env CONNECTION --agent NAME prints the base URL to use',
};

async function listenOn(server: ReturnType<typeof createServer>, listen: ServeListenOptions): Promise<void> {
  if (listen.socket && existsSync(listen.socket)) {
    // A socket file left by a serve that was killed: reuse the path only when nobody answers on it.
    if (await socketAnswers(listen.socket)) throw new Error(`another process is listening on ${listen.socket}`);
    rmSync(listen.socket, { force: true });
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const done = (): void => {
      server.off('error', reject);
      resolve();
    };
    if (listen.socket) server.listen(listen.socket, done);
    else server.listen(listen.port, listen.host, done);
  });
}

function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
