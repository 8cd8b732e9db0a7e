import { formatDistanceStrict } from 'date-fns';
import { actionRefs } from '../action-refs.js';
import { later } from '../bounded.js';
import { dateTime, isoMs } from '../event-queries.js';
import type { LoggedEvent } from '../events.js';
import { evidenceFrom } from '../evidence.js';
import { findingOf } from '../finding-state.js';
import { defineRule, type Finding } from '../findings.js';

export const accessExpired = defineRule({
  id: 'access-expired',
  severity: 'error',
  /** The last hand-out or 401 of each connection: the use that met (or will meet) the expired token. */
  start: () => new Map<string, LoggedEvent>(),
  observe(lastUse, logged, providers) {
    const { event } = logged;
    if (event.conn === undefined || !providers.has(event.conn)) return;
    if (event.event === 'token' || (event.event === 'request' && event.status === 401)) lastUse.set(event.conn, later(lastUse.get(event.conn), logged));
  },
  finish(lastUse, ctx) {
    const now = ctx.now.getTime();
    return ctx.connections.flatMap((conn): Finding[] => {
      const expires = isoMs(conn.accessTokenExpiresAt);
      // GitHub App installation tokens are minted again from the app key: they never need a refresh token.
      if (expires === undefined || expires > now || conn.refreshTokenFp !== undefined || conn.provider === 'github-app') return [];
      const use = lastUse.get(conn.name);
      return [
        findingOf({
          id: 'access-expired',
          severity: 'error',
          conn: conn.name,
          summary: `${conn.name}: access token expired at ${dateTime(expires)} (${formatDistanceStrict(expires, now)} ago) and there is no refresh token to renew it`,
          evidence: use ? [evidenceFrom(use)] : [],
          actions: actionRefs('relogin'),
        }),
      ];
    });
  },
});
