// Where the broker may send a credential (docs/design.md §7, issue 11): https anywhere, plain http only to
// this machine's loopback, and redirects only within the origin the caller chose. Pure decisions;
// adapters/outbound-http.ts is the one place that applies them, for OAuth, `broker api`, the GitHub
// App mint and `broker serve` alike.

/**
 * Loopback by the host as the WHATWG URL parser normalises it: 127.0.0.0/8 (the parser has already
 * turned 0x7f.1 or 2130706433 into dotted quads), [::1] and localhost. IPv4-mapped forms such as
 * [::ffff:127.0.0.1] (parsed to [::ffff:7f00:1]) and names that merely resolve to 127.0.0.1 are not:
 * whether they reach this machine depends on the socket stack and the resolver, not on the URL.
 */
export function isLoopbackHost(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === '[::1]') return true;
  const quad = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(hostname);
  return quad !== null && quad.slice(1).every((part) => Number(part) <= 255);
}

export function isLoopbackUrl(url: string | URL): boolean {
  return isLoopbackHost(new URL(url).hostname);
}

/** Why a credential must not be sent to this URL, or undefined when it may. */
export function outboundUrlProblem(url: URL): string | undefined {
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:') {
    return isLoopbackHost(url.hostname) ? undefined : `refusing plain http:// to a non-loopback host (${url.host})`;
  }
  return `refusing ${url.protocol} URLs: only https:// (or http:// to 127.0.0.1, ::1, localhost)`;
}

export const outboundUrlHint = 'use the https:// URL; plain http is allowed only for 127.0.0.1, ::1 and localhost';

export function isSameOrigin(a: URL, b: URL): boolean {
  return a.origin === b.origin;
}

export type RedirectStatus = 301 | 302 | 303 | 307 | 308;

export function isRedirectStatus(status: number): status is RedirectStatus {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/**
 * The request a followed redirect makes (fetch spec §4.4): 307/308 repeat the method and body;
 * 303, and 301/302 after a POST, become a GET without a body.
 */
export function methodAfterRedirect(status: RedirectStatus, method: string): { method: string; keepsBody: boolean } {
  if (status === 307 || status === 308) return { method, keepsBody: true };
  if (status === 303 && method !== 'HEAD') return { method: 'GET', keepsBody: false };
  if ((status === 301 || status === 302) && method === 'POST') return { method: 'GET', keepsBody: false };
  return { method, keepsBody: true };
}

/** Hosts that never go through a proxy: a proxy's loopback is another machine, and plain http to it would carry the token in clear. */
export function bypassesProxy(url: URL): boolean {
  return isLoopbackHost(url.hostname);
}
