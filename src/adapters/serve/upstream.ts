import http, { type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';

// Every call `broker serve` makes to a provider's API goes through sendUpstream: one place to put
// the broker's outbound policy (issue 8 hands the shared policy module — proxy environment, scrubbing —
// to this function at merge). What it enforces today: https, or http to a loopback host only (the
// local providers of tests and the demo); redirects are not followed (a reverse proxy hands them back).

export interface UpstreamRequest {
  method: string;
  headers: OutgoingHttpHeaders;
  /** A Buffer is sent as is (and can be sent again); a stream is piped once. */
  body?: Buffer | Readable;
  /** Aborts the call, e.g. when the caller went away. */
  signal?: AbortSignal;
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
  body: IncomingMessage;
}

/** The call was not made: the URL breaks the outbound policy. */
export class UpstreamRefusedError extends Error {
  override name = 'UpstreamRefusedError';
}

export class UpstreamTimeoutError extends Error {
  override name = 'UpstreamTimeoutError';
}

// Kept-alive connections: the proxy's overhead per call is then one request on an open socket.
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 256 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 256 }),
};

export function sendUpstream(url: URL, request: UpstreamRequest): Promise<UpstreamResponse> {
  const policyError = outboundPolicyError(url);
  if (policyError) return Promise.reject(new UpstreamRefusedError(policyError));
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
      signal: request.signal,
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

/** Why a URL may not be called, or undefined: https anywhere, http only to this machine. */
export function outboundPolicyError(url: URL): string | undefined {
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return undefined;
  return `${url.protocol}//${url.host} is not allowed: the broker sends credentials over https only (http only to 127.0.0.1, ::1 or localhost)`;
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}
