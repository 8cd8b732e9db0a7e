import { BrokerError } from '../core/broker-error.js';
import { exitCodes } from '../core/exit-codes.js';
import { bypassesProxy, isRedirectStatus, isSameOrigin, methodAfterRedirect, outboundUrlHint, outboundUrlProblem } from '../core/outbound-policy.js';

// The broker's only way out to the network (token endpoints, discovery, APIs, the GitHub App mint,
// `broker serve` upstreams). Every request, and every redirect hop, passes the outbound policy
// (core/outbound-policy.ts); redirects are followed only within one origin, so a credential or a
// request body never lands on a host the caller did not choose; the corporate proxy of
// HTTPS_PROXY / HTTP_PROXY / NO_PROXY is honoured through undici's EnvHttpProxyAgent.

export type Env = Readonly<Record<string, string | undefined>>;

/** A fetch Response, plus what the redirect policy did on the way. */
export interface OutboundResponse extends Response {
  /** The URL that gave this answer, after the same-origin redirects that were followed. */
  readonly finalUrl: URL;
  /** How many same-origin redirects were followed. */
  readonly redirects: number;
  /** A redirect to another origin that was not followed (this 3xx is the answer): where it pointed. */
  readonly refusedRedirect?: URL;
}

/** fetch as the broker may use it: a URL (no Request objects) and RequestInit. */
export type OutboundFetch = (input: string | URL, init?: RequestInit) => Promise<OutboundResponse>;

/** Thrown before anything is sent when a URL breaks the outbound policy. */
export class OutboundRefusedError extends BrokerError {
  constructor(message: string, hint = outboundUrlHint) {
    super(message, exitCodes.usage, hint);
    this.name = 'OutboundRefusedError';
  }
}

export interface ProxySettings {
  httpProxy?: string;
  httpsProxy?: string;
  noProxy: string;
}

/** curl's and undici's reading of the variables: the lowercase name wins, empty means unset. */
export function proxySettingsOf(env: Env): ProxySettings {
  const pick = (name: string) => env[name.toLowerCase()] || env[name] || undefined;
  return { httpProxy: pick('HTTP_PROXY'), httpsProxy: pick('HTTPS_PROXY'), noProxy: env.no_proxy || env.NO_PROXY || '' };
}

const maxRedirects = 10;

/** The fetch every outbound caller uses, bound to the proxy settings of `env` (the process environment in the CLI). */
export function outboundFetchFor(env: Env): OutboundFetch {
  const proxy = proxySettingsOf(env);
  return (input, init = {}) => fetchWithinPolicy(new URL(input), init, proxy);
}

async function fetchWithinPolicy(url: URL, init: RequestInit, proxy: ProxySettings): Promise<OutboundResponse> {
  const mode = init.redirect ?? 'follow';
  let current = url;
  let request: RequestInit = { ...init, redirect: 'manual' };
  let redirects = 0;
  for (;;) {
    const problem = outboundUrlProblem(current);
    if (problem) throw new OutboundRefusedError(redirects === 0 ? problem : `${problem}, redirected from ${url.host}`);
    const response = await send(current, request, proxy);
    if (mode === 'manual' || !isRedirectStatus(response.status)) return withTrail(response, current, redirects);
    const next = locationOf(response, current);
    if (!next) return withTrail(response, current, redirects);
    if (mode === 'error') {
      await discard(response);
      throw new BrokerError(`${current.host} answered HTTP ${response.status} (a redirect), which this request does not follow`, exitCodes.failed);
    }
    const { method, keepsBody } = methodAfterRedirect(response.status, (request.method ?? 'GET').toUpperCase());
    const body = keepsBody ? request.body : undefined;
    // Another origin is never followed: a 307/308 would re-send the body, and any hop would carry the
    // Authorization header or the client credentials to a host the caller did not choose.
    if (!isSameOrigin(current, next) || (body != null && !isReplayable(body))) return withTrail(response, current, redirects, isSameOrigin(current, next) ? undefined : next);
    if (redirects >= maxRedirects) {
      await discard(response);
      throw new BrokerError(`${url.host} redirected more than ${maxRedirects} times`, exitCodes.failed);
    }
    await discard(response);
    const headers = new Headers(request.headers);
    if (!keepsBody) for (const name of ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location']) headers.delete(name);
    request = { ...request, method, body, headers };
    current = next;
    redirects += 1;
  }
}

function locationOf(response: Response, base: URL): URL | undefined {
  const location = response.headers.get('location');
  if (location === null) return undefined;
  try {
    return new URL(location, base);
  } catch {
    return undefined;
  }
}

function isReplayable(body: NonNullable<RequestInit['body']>): boolean {
  return typeof body === 'string' || body instanceof URLSearchParams || body instanceof ArrayBuffer || ArrayBuffer.isView(body) || body instanceof Blob || body instanceof FormData;
}

async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

function withTrail(response: Response, finalUrl: URL, redirects: number, refusedRedirect?: URL): OutboundResponse {
  return Object.defineProperties(response, {
    finalUrl: { value: finalUrl, enumerable: true },
    redirects: { value: redirects, enumerable: true },
    refusedRedirect: { value: refusedRedirect, enumerable: true },
  }) as OutboundResponse;
}

// ---- One hop: direct, or through the proxy

/** Whether a call to `url` is handed to a proxy variable (NO_PROXY is then undici's to apply). */
export function mayUseProxy(url: URL, proxy: ProxySettings): boolean {
  return !bypassesProxy(url) && (url.protocol === 'https:' ? (proxy.httpsProxy ?? proxy.httpProxy) : proxy.httpProxy) !== undefined;
}

async function send(url: URL, init: RequestInit, proxy: ProxySettings): Promise<Response> {
  // Without a proxy variable the built-in fetch does the work: undici (about 50 ms to load) stays out of every command that does not need it.
  if (!mayUseProxy(url, proxy)) return fetch(url, init);
  const client = await proxyClientFor(proxy);
  return (await client.fetch(url, { ...(init as object), dispatcher: client.dispatcher } as Parameters<typeof client.fetch>[1])) as unknown as Response;
}

interface ProxyClient {
  fetch: typeof import('undici').fetch;
  dispatcher: import('undici').Dispatcher;
}

const proxyClients = new Map<string, Promise<ProxyClient>>();

function proxyClientFor(settings: ProxySettings): Promise<ProxyClient> {
  const key = JSON.stringify(settings);
  let client = proxyClients.get(key);
  if (!client) {
    client = (async () => {
      const loaded = await import('undici');
      // Bundled by esbuild, the CommonJS package arrives as the module's default export.
      const undici = typeof loaded.EnvHttpProxyAgent === 'function' ? loaded : (loaded.default as unknown as typeof loaded);
      try {
        // Explicit values (never undefined) so only the environment the broker was given counts; NO_PROXY
        // matching (host, .suffix, host:port, *) is undici's, the same as curl's.
        const dispatcher = new undici.EnvHttpProxyAgent({ httpProxy: settings.httpProxy ?? '', httpsProxy: settings.httpsProxy ?? '', noProxy: settings.noProxy });
        return { fetch: undici.fetch, dispatcher };
      } catch {
        // The value may carry proxy credentials: name the variable, not its content.
        throw new BrokerError('HTTPS_PROXY / HTTP_PROXY is not a usable proxy URL', exitCodes.usage, 'set it to http://HOST:PORT (or unset it)');
      }
    })();
    proxyClients.set(key, client);
  }
  return client;
}
