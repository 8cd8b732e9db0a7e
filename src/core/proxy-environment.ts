import { isLoopbackHost } from './outbound-policy.js';
import type { Connection } from './state-schema.js';

// How the proxy variables of an environment stand for the broker: which point at a local broker,
// which at a corporate proxy, and which of the broker's own destinations the corporate one would
// get but cannot reach. Read by the proxy-conflict rule; corrected by the show-env action.

const httpsProxyVars = ['HTTPS_PROXY', 'https_proxy'] as const;
const otherProxyVars = ['HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'] as const;
type Env = Readonly<Record<string, string | undefined>>;

export interface ProxyReading {
  /** HTTPS_PROXY / https_proxy set to a loopback address: an agent pointed at a local broker as its proxy. */
  local: string[];
  /** Proxy variables that point elsewhere: the corporate proxy. */
  corporate: string[];
  /** The NO_PROXY variable in use (NO_PROXY, else no_proxy), and the broker's destinations it lacks. */
  noProxyVar: 'NO_PROXY' | 'no_proxy';
  missing: string[];
}

export function readProxyEnvironment(env: Env, connections: readonly Connection[]): ProxyReading {
  const local = httpsProxyVars.filter((v) => env[v] && isLoopbackHost(hostOf(env[v]!)));
  const corporate = [...httpsProxyVars, ...otherProxyVars].filter((v) => env[v] && !isLoopbackHost(hostOf(env[v]!)));
  const noProxyVar = env.NO_PROXY !== undefined ? 'NO_PROXY' : 'no_proxy';
  const noProxy = (env.NO_PROXY ?? env.no_proxy ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  // With a corporate proxy, the broker's own local destinations must bypass it.
  const missing = corporate.length === 0 ? [] : localDestinations(connections).filter((host) => !bypasses(noProxy, host));
  return { local, corporate, noProxyVar, missing };
}

/**
 * The shell lines that set this environment right, ready to paste. Proxy URLs are named by their
 * variable ("$https_proxy"), never spelled out: they can hold the proxy's password.
 */
export function correctedProxyEnvironment(env: Env, connections: readonly Connection[]): string[] {
  const { local, corporate, noProxyVar, missing } = readProxyEnvironment(env, connections);
  const lines: string[] = [];
  if (local.length > 0) {
    lines.push('# Agents reach the broker at its own address (`broker env NAME --agent A`), never as their proxy:');
    const keep = corporate.find((v) => !local.includes(v));
    for (const v of local) lines.push(keep ? `export ${v}="$${keep}"` : `unset ${v}`);
  }
  if (missing.length > 0) {
    lines.push(`# The broker's own destinations bypass the corporate proxy (${corporate[0]}):`);
    const current = env[noProxyVar];
    const value = [current ? `$${noProxyVar}` : '', ...missing].filter(Boolean).join(',');
    lines.push(`export NO_PROXY="${value}"`, 'export no_proxy="$NO_PROXY"');
  }
  return lines;
}

/** A proxy URL without its credentials: http://user:pass@proxy:3128 would otherwise reach the screen. */
export function safeUrl(url: string): string {
  return url.replace(/\/\/[^/@]*@/, '//***@');
}

function hostOf(url: string): string {
  try {
    return new URL(url.includes('://') ? url : `http://${url}`).hostname.toLowerCase();
  } catch {
    return url.toLowerCase();
  }
}

function isPrivate(host: string): boolean {
  return isLoopbackHost(host) || /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(host) || /\.(local|internal|lan|corp)$/.test(host);
}

/** Hosts the broker talks to that a corporate proxy cannot reach: loopback issuers, internal API bases. */
function localDestinations(connections: readonly Connection[]): string[] {
  const hosts = connections.flatMap((c) => [c.issuer, c.apiBaseUrl]).filter((u): u is string => u !== undefined).map(hostOf);
  return [...new Set(hosts.filter(isPrivate))];
}

function bypasses(noProxy: string[], host: string): boolean {
  return noProxy.some((entry) => {
    const bare = entry.replace(/:\d+$/, '');
    if (bare === '*') return true;
    const suffix = bare.replace(/^\*?\./, '');
    return host === suffix || host.endsWith(`.${suffix}`);
  });
}
