import { actionRefs } from '../action-refs.js';
import { clockTime, eventsOf, timeOf } from '../event-queries.js';
import type { RequestEvent } from '../events.js';
import { evidenceFrom } from '../evidence.js';
import type { Finding, Rule } from '../findings.js';
import { classifyLogged } from '../refresh-failures.js';
import { isRateLimited, splitScopes } from '../request-signals.js';
import type { Connection } from '../state-schema.js';

export const insufficientScope: Rule = {
  id: 'insufficient-scope',
  severity: 'error',
  check(facts) {
    return facts.connections.flatMap((conn): Finding[] => {
      const requests = eventsOf(facts, 'request', conn.name);
      const denied: typeof requests = [];
      // Walking backwards: a later success on the same path (after a re-login) settles it.
      const laterOk = new Set<string>();
      for (let i = requests.length - 1; i >= 0; i--) {
        const r = requests[i]!;
        if (!laterOk.has(r.event.path) && lacksPermission(conn, r.event)) denied.push(r);
        if (r.event.status < 300 && r.event.error === undefined) laterOk.add(r.event.path);
      }
      denied.reverse();
      const last = denied.at(-1);
      if (!last) return [];
      return [
        {
          id: this.id,
          severity: this.severity,
          conn: conn.name,
          summary: `${conn.name}: ${last.event.method} ${last.event.target}${last.event.path} answered ${last.event.status} at ${clockTime(timeOf(last))}; ${need(last.event)}`,
          evidence: denied.slice(-5).map(evidenceFrom),
          actions: actionRefs('relogin'),
        },
      ];
    });
  },
};

function lacksPermission(conn: Connection, request: RequestEvent): boolean {
  if (request.status !== 403 && request.status !== 200) return false;
  if (isRateLimited(conn, request)) return false;
  const accepted = splitScopes(request['x-accepted-oauth-scopes']);
  const granted = splitScopes(request['x-oauth-scopes']);
  if (request.status === 403 && accepted.length > 0 && !accepted.some((s) => granted.includes(s))) return true;
  if (request.status === 403 && request['x-accepted-github-permissions'] !== undefined) return true;
  // Without the status, only the provider's own words count (a bare 403 is not proof).
  return (request.error ?? request.error_description) !== undefined && classifyLogged(conn, { error: request.error, error_description: request.error_description }).cause === 'insufficient_scope';
}

function need(request: RequestEvent): string {
  const accepted = splitScopes(request['x-accepted-oauth-scopes']);
  if (accepted.length > 0) return `it needs scope ${accepted.join(' or ')}, the token has ${splitScopes(request['x-oauth-scopes']).join(', ') || 'none'}`;
  const permissions = request['x-accepted-github-permissions'];
  if (permissions !== undefined) return `the app needs permission ${permissions}`;
  return `the provider says: ${request.error_description ?? request.error}`;
}
