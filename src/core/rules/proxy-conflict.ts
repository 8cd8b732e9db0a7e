import { actionRefs } from '../action-refs.js';
import { evidenceFromSetting } from '../evidence.js';
import { findingOf } from '../finding-state.js';
import { defineRule } from '../findings.js';
import type { Connection } from '../state-schema.js';

const httpsProxyVars = ['HTTPS_PROXY', 'https_proxy'] as const;
const otherProxyVars = ['HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'] as const;

export const proxyConflict = defineRule({
  id: 'proxy-conflict',
  severity: 'warning',
  start: () => null,
  finish(_state, ctx) {
    const env = ctx.env;
    const ts = ctx.now.toISOString();
    const problems: string[] = [];
    const cited = new Set<string>();

    const https = httpsProxyVars.filter((v) => env[v]);
    const local = https.filter((v) => isLoopback(hostOf(env[v]!)));
    const corporate = [...httpsProxyVars, ...otherProxyVars].filter((v) => env[v] && !isLoopback(hostOf(env[v]!)));
    if (local.length > 0 && corporate.length > 0) {
      problems.push(`${local[0]} points at the local broker (${safeUrl(env[local[0]!]!)}) while ${corporate[0]} points at ${safeUrl(env[corporate[0]!]!)}: tools disagree on which proxy they use`);
      [...local, ...corporate].forEach((v) => cited.add(v));
    }

    // With a corporate proxy, the broker's own local destinations must bypass it.
    if (corporate.length > 0) {
      const noProxyVar = env.NO_PROXY !== undefined ? 'NO_PROXY' : 'no_proxy';
      const noProxy = (env.NO_PROXY ?? env.no_proxy ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
      const missing = localDestinations(ctx.connections).filter((host) => !bypasses(noProxy, host));
      if (missing.length > 0) {
        problems.push(`${noProxyVar} lacks ${missing.join(', ')}, so the broker's requests there go through ${safeUrl(env[corporate[0]!]!)}`);
        cited.add(corporate[0]!);
        if (env[noProxyVar] !== undefined) cited.add(noProxyVar);
      }
    }
    if (problems.length === 0) return [];
    return [
      findingOf({
        id: 'proxy-conflict',
        severity: 'warning',
        conn: null,
        summary: `Proxy settings conflict: ${problems.join('; ')}`,
        evidence: [...cited].map((v) => evidenceFromSetting('environment', ts, `${v}=${safeUrl(env[v] ?? '')}`)),
        actions: actionRefs('show-env'),
      }),
    ];
  },
});

function hostOf(url: string): string {
  try {
    return new URL(url.includes('://') ? url : `http://${url}`).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return url.toLowerCase();
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

function isPrivate(host: string): boolean {
  return isLoopback(host) || /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(host) || /\.(local|internal|lan|corp)$/.test(host);
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

/** A proxy URL without its credentials: http://user:pass@proxy:3128 would otherwise reach the screen. */
function safeUrl(url: string): string {
  return url.replace(/\/\/[^/@]*@/, '//***@');
}
