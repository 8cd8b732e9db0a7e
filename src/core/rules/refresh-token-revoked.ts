import { actionRefs } from '../action-refs.js';
import { clockTime, isoMs, msOfDays, timeOf, whoDid } from '../event-queries.js';
import { evidenceFrom } from '../evidence.js';
import type { Finding, Rule } from '../findings.js';
import type { Connection } from '../state-schema.js';
import { explainRefreshFailures, latestUnresolved } from '../refresh-failures.js';

const why: Record<string, string> = {
  consent_revoked: 'access was revoked (consent withdrawn or password reset)',
  account_disabled: 'the account is disabled',
  refresh_reuse: 'the provider saw a used refresh token again',
};

export const refreshTokenRevoked: Rule = {
  id: 'refresh-token-revoked',
  severity: 'critical',
  check(facts) {
    return facts.connections.flatMap((conn): Finding[] => {
      const failures = explainRefreshFailures(facts, conn);
      const latest = latestUnresolved(failures, 'revoked');
      if (!latest) return [];
      if (conn.provider === 'github-app') {
        const owner = conn.installation?.account ?? 'the installation';
        return [
          {
            id: this.id,
            severity: this.severity,
            conn: conn.name,
            summary: `${conn.name}: GitHub refused to mint an installation token at ${clockTime(timeOf(latest.failure))} (${latest.failure.event.status ?? '?'}: ${(latest.classified.description ?? latest.classified.error).slice(0, 120)}): an owner of ${owner} must unsuspend or reinstall the app`,
            evidence: [evidenceFrom(latest.failure)],
            actions: [],
          },
        ];
      }
      const reason = testingModeHint(conn, timeOf(latest.failure)) ?? why[latest.classified.cause] ?? 'the provider revoked or expired the refresh token';
      const count = failures.filter((f) => f.kind === 'revoked' && !f.resolved);
      return [
        {
          id: this.id,
          severity: this.severity,
          conn: conn.name,
          summary: `${conn.name}: refresh at ${clockTime(timeOf(latest.failure))} by ${whoDid(latest.failure.event)} failed with ${latest.classified.error}: ${reason}; no race, not idle`,
          evidence: count.slice(-4).map((f) => evidenceFrom(f.failure)),
          actions: actionRefs('relogin'),
        },
      ];
    });
  },
};

// Google drops refresh tokens of External apps in "Testing" 7 days after consent, with the same
// invalid_grant body as every other revocation: the timing is the only tell.
function testingModeHint(conn: Connection, failedAt: number): string | undefined {
  const consent = isoMs(conn.refreshTokenObtainedAt);
  if (conn.provider !== 'google' || consent === undefined) return undefined;
  const age = failedAt - consent;
  if (age < msOfDays(7) || age > msOfDays(8)) return undefined;
  return 'it is 7 days after consent, the lifetime Google gives apps in "Testing" mode: publish the OAuth app (or make it Internal), then log in again';
}
