import { formatDistanceStrict } from 'date-fns';
import { actionRefs } from '../action-refs.js';
import { dateTime, eventsOf, isoMs } from '../event-queries.js';
import { evidenceFrom } from '../evidence.js';
import type { Finding, Rule } from '../findings.js';

export const accessExpired: Rule = {
  id: 'access-expired',
  severity: 'error',
  check(facts) {
    const now = facts.now.getTime();
    return facts.connections.flatMap((conn): Finding[] => {
      const expires = isoMs(conn.accessTokenExpiresAt);
      // GitHub App installation tokens are minted again from the app key: they never need a refresh token.
      if (expires === undefined || expires > now || conn.refreshTokenFp !== undefined || conn.provider === 'github-app') return [];
      const lastUse = [...eventsOf(facts, 'token', conn.name), ...eventsOf(facts, 'request', conn.name).filter((r) => r.event.status === 401)].at(-1);
      return [
        {
          id: this.id,
          severity: this.severity,
          conn: conn.name,
          summary: `${conn.name}: access token expired at ${dateTime(expires)} (${formatDistanceStrict(expires, now)} ago) and there is no refresh token to renew it`,
          evidence: lastUse ? [evidenceFrom(lastUse)] : [],
          actions: actionRefs('relogin'),
        },
      ];
    });
  },
};
