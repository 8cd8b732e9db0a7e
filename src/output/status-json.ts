import type { HealthRow, StatusReport } from '../core/health-rows.js';
import { safeJson } from './log-text.js';
import type { Finding } from '../core/findings.js';

// `broker status --json` (docs/design.md §2): the names store.backend/reason and connections[].name … lastError stay.

export function formatStatusJson(report: StatusReport, now: Date, serve?: object): string {
  const document = {
    generatedAt: now.toISOString(),
    store: report.store,
    connections: report.rows.map(toJsonConnection),
    findings: report.general.map(toJsonFinding),
    ...(serve !== undefined ? { serve } : {}),
  };
  return `${safeJson(document, 2)}\n`;
}

function toJsonConnection(row: HealthRow) {
  const c = row.connection;
  return {
    name: row.name,
    provider: row.provider,
    kind: row.kind,
    account: row.account,
    health: row.health,
    accessTokenExpiresAt: row.accessTokenExpiresAt,
    lastRefreshAt: row.lastRefreshAt,
    lastError: row.lastError,
    scopes: row.scopes,
    idleSince: row.idleSince,
    lastUsedAt: c.lastUsedAt ?? null,
    generation: c.generation,
    accessTokenFp: c.accessTokenFp ?? null,
    refreshTokenFp: c.refreshTokenFp ?? null,
    notes: row.notes,
    findings: row.findings.map(toJsonFinding),
  };
}

/** Health counts the active findings; a resolved one stays listed with the time it ended (docs/design.md §12). */
function toJsonFinding(f: Finding) {
  return { id: f.id, severity: f.severity, state: f.state, ...(f.resolvedAt ? { resolvedAt: f.resolvedAt } : {}), conn: f.conn, summary: f.summary };
}
