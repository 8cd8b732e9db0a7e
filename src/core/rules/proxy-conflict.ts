import { actionRefs } from '../action-refs.js';
import { evidenceFromSetting } from '../evidence.js';
import { findingOf } from '../finding-state.js';
import { defineRule } from '../findings.js';
import { readProxyEnvironment, safeUrl } from '../proxy-environment.js';

export const proxyConflict = defineRule({
  id: 'proxy-conflict',
  severity: 'warning',
  start: () => null,
  finish(_state, ctx) {
    const env = ctx.env;
    const { local, corporate, noProxyVar, missing } = readProxyEnvironment(env, ctx.connections);
    const problems: string[] = [];
    const cited = new Set<string>();
    if (local.length > 0 && corporate.length > 0) {
      problems.push(`${local[0]} points at the local broker (${safeUrl(env[local[0]!]!)}) while ${corporate[0]} points at ${safeUrl(env[corporate[0]!]!)}: tools disagree on which proxy they use`);
      [...local, ...corporate].forEach((v) => cited.add(v));
    }
    if (missing.length > 0) {
      problems.push(`${noProxyVar} lacks ${missing.join(', ')}, so the broker's requests there go through ${safeUrl(env[corporate[0]!]!)}`);
      cited.add(corporate[0]!);
      if (env[noProxyVar] !== undefined) cited.add(noProxyVar);
    }
    if (problems.length === 0) return [];
    return [
      findingOf({
        id: 'proxy-conflict',
        severity: 'warning',
        conn: null,
        summary: `Proxy settings conflict: ${problems.join('; ')}`,
        evidence: [...cited].map((v) => evidenceFromSetting('environment', ctx.now.toISOString(), `${v}=${safeUrl(env[v] ?? '')}`)),
        actions: actionRefs('show-env'),
      }),
    ];
  },
});
