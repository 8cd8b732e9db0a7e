import { actionRefs } from '../action-refs.js';
import { byTime, entryOf, pushLatest } from '../bounded.js';
import { clockTime } from '../event-queries.js';
import type { LoggedEvent, RequestEvent } from '../events.js';
import { evidenceFrom } from '../evidence.js';
import { findingOf } from '../finding-state.js';
import { defineRule, type Finding } from '../findings.js';
import { isRateLimited, isSuccess, saysCause, splitScopes } from '../request-signals.js';
import type { ProviderId } from '../state-schema.js';

const maxPaths = 2000;

/** One API path of one connection: the latest denials, until a success on the same path settles them. */
interface PathDenials {
  conn: string;
  count: number;
  denied: Array<LoggedEvent<RequestEvent>>;
  settledBy?: LoggedEvent;
}

export const insufficientScope = defineRule({
  id: 'insufficient-scope',
  severity: 'error',
  start: () => new Map<string, PathDenials>(),
  observe(paths, logged, providers) {
    const { event } = logged;
    if (event.event !== 'request' || event.conn === undefined) return;
    const provider = providers.get(event.conn);
    if (provider === undefined) return;
    const key = `${event.conn}\u0000${event.path}`;
    if (lacksPermission(provider, event)) {
      let entry = entryOf(paths, key, () => ({ conn: event.conn!, count: 0, denied: [] }), maxPaths);
      if (!entry) return;
      // Denied again after a success (a re-login that lost the scope): a new episode.
      if (entry.settledBy && entry.settledBy.t < logged.t) paths.set(key, (entry = { conn: event.conn, count: 0, denied: [] }));
      entry.count++;
      pushLatest(entry.denied, logged as LoggedEvent<RequestEvent>, 5);
      return;
    }
    const entry = paths.get(key);
    if (entry && isSuccess(event) && entry.denied.some((d) => d.t < logged.t) && (!entry.settledBy || logged.t > entry.settledBy.t)) entry.settledBy = logged;
  },
  finish(paths, ctx) {
    return ctx.connections.flatMap((conn): Finding[] => {
      const mine = [...paths.values()].filter((p) => p.conn === conn.name);
      const open = mine.filter((p) => !p.settledBy);
      const shown = open.length > 0 ? open : mine;
      const denied = shown.flatMap((p) => p.denied).sort(byTime);
      const last = denied.at(-1);
      if (!last) return [];
      const settledBy = open.length > 0 ? undefined : mine.map((p) => p.settledBy!).sort(byTime).at(-1);
      return [
        findingOf(
          {
            id: 'insufficient-scope',
            severity: 'error',
            conn: conn.name,
            summary: `${conn.name}: ${last.event.method} ${last.event.target}${last.event.path} answered ${last.event.status} at ${clockTime(last.t)}; ${need(last.event)}`,
            evidence: denied.slice(-5).map(evidenceFrom),
            actions: actionRefs('relogin'),
          },
          settledBy,
        ),
      ];
    });
  },
});

function lacksPermission(provider: ProviderId, request: RequestEvent): boolean {
  if (request.status !== 403 && request.status !== 200) return false;
  if (isRateLimited(provider, request)) return false;
  const accepted = splitScopes(request['x-accepted-oauth-scopes']);
  const granted = splitScopes(request['x-oauth-scopes']);
  if (request.status === 403 && accepted.length > 0 && !accepted.some((s) => granted.includes(s))) return true;
  if (request.status === 403 && request['x-accepted-github-permissions'] !== undefined) return true;
  // Without the status, only the provider's own words count (a bare 403 is not proof).
  return saysCause(provider, request, 'insufficient_scope');
}

function need(request: RequestEvent): string {
  const accepted = splitScopes(request['x-accepted-oauth-scopes']);
  if (accepted.length > 0) return `it needs scope ${accepted.join(' or ')}, the token has ${splitScopes(request['x-oauth-scopes']).join(', ') || 'none'}`;
  const permissions = request['x-accepted-github-permissions'];
  if (permissions !== undefined) return `the app needs permission ${permissions}`;
  return `the provider says: ${request.error_description ?? request.error}`;
}
