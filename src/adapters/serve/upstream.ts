import http, { type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { outboundUrlProblem } from '../../core/outbound-policy.js';
import { mayUseProxy, outboundFetchFor, proxySettingsOf, type Env } from '../outbound-http.js';

// Every call `broker serve` makes to a provider's API goes through one sender. Both of its paths apply
// the broker's outbound policy (core/outbound-policy.ts: https, or http to loopback only); redirects are
// handed back to the caller, not followed (a reverse proxy passes them on).
//  - Where a proxy variable (HTTPS_PROXY / HTTP_PROXY) applies to the URL, the call goes through the
//    broker's one outbound fetch (adapters/outbound-http.ts), which honours the proxy and NO_PROXY.
//  - Otherwise node:http with kept-alive sockets: at thousands of calls a second, fetch's own cost per
//    call was most of what the proxy added.

export interface UpstreamRequest {
  method: string;
  headers: OutgoingHttpHeaders;
  /** A Buffer is sent as is (and can be sent again); a stream is piped once. */
  body?: Buffer | Readable;
  /** How long the provider may take to send its response headers; the body may then stream for as long as it likes. */
  headersTimeoutMs: number;
}

export interface UpstreamResponse {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  /** Header names and values in the order received, duplicates kept (Set-Cookie). */
  rawHeaders: string[];
  /** The response body, streamed. */
  body: Readable;
}

export type SendUpstream = (url: URL, request: UpstreamRequest) => Promise<UpstreamResponse>;

/** The call was not made: the URL breaks the outbound policy. */
export class UpstreamRefusedError extends Error {
  override name = 'UpstreamRefusedError';
}

export class UpstreamTimeoutError extends Error {
  override name = 'UpstreamTimeoutError';
}

/** The sender for serve, with the proxy settings of the environment serve was started in. */
export function upstreamSender(env: Env): SendUpstream {
  const proxy = proxySettingsOf(env);
  const outbound = outboundFetchFor(env);
  return (url, request) => {
    const problem = outboundUrlProblem(url);
    if (problem) return Promise.reject(new UpstreamRefusedError(problem));
    return mayUseProxy(url, proxy) ? throughOutboundFetch(outbound, url, request) : direct(url, request);
  };
}

// Kept-alive connections: the proxy's overhead per call is then one request on an open socket.
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 256 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 256 }),
};

function direct(url: URL, request: UpstreamRequest): Promise<UpstreamResponse> {
  const secure = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request({
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port || (secure ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      method: request.method,
      headers: request.headers,
      agent: agents[secure ? 'https:' : 'http:'],
    });
    awaitingHeaders.set(req, { deadline: Date.now() + request.headersTimeoutMs, host: url.host, seconds: request.headersTimeoutMs / 1000 });
    watchDeadlines();
    req.once('response', (res) => {
      awaitingHeaders.delete(req);
      resolve({ status: res.statusCode ?? 502, statusText: res.statusMessage ?? '', headers: res.headers, rawHeaders: res.rawHeaders, body: res });
    });
    req.once('error', (err) => {
      awaitingHeaders.delete(req);
      reject(err);
    });
    const body = request.body;
    if (body === undefined) req.end();
    else if (Buffer.isBuffer(body)) req.end(body);
    else {
      body.once('error', (err) => req.destroy(err));
      body.pipe(req);
    }
  });
}

async function throughOutboundFetch(outbound: ReturnType<typeof outboundFetchFor>, url: URL, request: UpstreamRequest): Promise<UpstreamResponse> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || name === 'host' || name === 'content-length') continue;
    for (const one of Array.isArray(value) ? value : [String(value)]) headers.append(name, one);
  }
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new UpstreamTimeoutError(`no answer from ${url.host} within ${request.headersTimeoutMs / 1000} s`)), request.headersTimeoutMs);
  let response: Response;
  try {
    // A stream body goes as an async iterable (undici reads it as it comes: duplex "half").
    const body = request.body === undefined ? undefined : Buffer.isBuffer(request.body) ? new Uint8Array(request.body) : (request.body as unknown as BodyInit);
    response = await outbound(url, { method: request.method, headers, body, redirect: 'manual', signal: timeout.signal, ...({ duplex: 'half' } as object) });
  } catch (err) {
    throw timeout.signal.aborted ? (timeout.signal.reason as Error) : err;
  } finally {
    clearTimeout(timer);
  }
  const rawHeaders: string[] = [];
  const incoming: IncomingHttpHeaders = {};
  for (const [name, value] of response.headers) {
    if (name === 'set-cookie') continue;
    rawHeaders.push(name, value);
    incoming[name] = value;
  }
  const cookies = response.headers.getSetCookie();
  for (const cookie of cookies) rawHeaders.push('set-cookie', cookie);
  if (cookies.length > 0) incoming['set-cookie'] = cookies;
  const body = response.body ? Readable.fromWeb(response.body as import('node:stream/web').ReadableStream) : Readable.from([]);
  return { status: response.status, statusText: response.statusText, headers: incoming, rawHeaders, body };
}

// One sweep a second over the calls still waiting for their headers, instead of a timer per call:
// at thousands of calls a second, arming and clearing a timer each was a measurable share of the CPU.
const awaitingHeaders = new Map<http.ClientRequest, { deadline: number; host: string; seconds: number }>();
let sweeper: NodeJS.Timeout | undefined;
function watchDeadlines(): void {
  sweeper ??= setInterval(() => {
    const now = Date.now();
    for (const [req, { deadline, host, seconds }] of awaitingHeaders) {
      if (deadline <= now) req.destroy(new UpstreamTimeoutError(`no answer from ${host} within ${seconds} s`));
    }
  }, 1_000).unref();
}

/** Closes the kept-alive sockets, so a stopping serve leaves nothing open. */
export function closeUpstreamConnections(): void {
  agents['http:'].destroy();
  agents['https:'].destroy();
}
