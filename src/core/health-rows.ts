import { formatDistanceStrict } from 'date-fns';
import { exitCodes } from './exit-codes.js';
import { isFailing, type Finding, type Severity, type StoreStatus } from './findings.js';
import type { Connection, LastError, ProviderId } from './state-schema.js';
import { stripControl } from './strip-control.js';

// What `broker status` shows, decided once (STYLE 8): labels, order and colour. Screens only map rows.

export const healths = ['critical', 'error', 'warning', 'ok'] as const;
export type Health = (typeof healths)[number];

export const healthColour = { ok: 'green', warning: 'yellow', error: 'red', critical: 'magenta' } as const satisfies Record<Health, string>;
export type HealthColour = (typeof healthColour)[Health];

const healthRank: Record<Health, number> = { critical: 0, error: 1, warning: 2, ok: 3 };

export interface HealthRow {
  name: string;
  provider: ProviderId;
  kind: Connection['kind'];
  account: string | null;
  scopes: string[];
  health: Health;
  colour: HealthColour;
  accessTokenExpiresAt: string | null;
  /** "expires in 12 min", "expired 3 h ago", "never" (no expiry), "no token". */
  expiry: string;
  lastRefreshAt: string | null;
  /** "3 h ago" or "never". */
  lastRefresh: string;
  /** The last time the refresh token was used or obtained: what provider idle windows count from. */
  idleSince: string | null;
  /** "idle 171 days", or "" when there is nothing to idle. */
  idle: string;
  lastError: LastError | null;
  /** "invalid_grant (400) 3 h ago": one line, control characters stripped. */
  lastErrorText: string;
  /** What the metadata alone shows is wrong, one line each (health comes from the active findings). */
  notes: string[];
  findings: Finding[];
  connection: Connection;
}

export interface StatusSnapshot {
  store: StoreStatus;
  connections: Connection[];
  findings: Finding[];
}

export interface StatusReport {
  store: StoreStatus;
  rows: HealthRow[];
  /** Findings about no one connection (the store, the environment). */
  general: Finding[];
  exitCode: number;
}

export function toHealthRows(connections: readonly Connection[], findings: readonly Finding[], now: Date): HealthRow[] {
  return connections.map((c) => toHealthRow(c, findings.filter((f) => f.conn === c.name), now)).sort(
    (a, b) => healthRank[a.health] - healthRank[b.health] || a.name.localeCompare(b.name),
  );
}

/** Exit 1 when a connection is error/critical, an active general finding is, or the token store cannot be used (docs/design.md §2). */
export function toStatusReport(snapshot: StatusSnapshot, now: Date): StatusReport {
  const rows = toHealthRows(snapshot.connections, snapshot.findings, now);
  const general = snapshot.findings.filter((f) => f.conn === null || !snapshot.connections.some((c) => c.name === f.conn));
  const unhealthy = !snapshot.store.available || rows.some((r) => r.health === 'error' || r.health === 'critical') || general.some(isFailing);
  return { store: snapshot.store, rows, general, exitCode: unhealthy ? exitCodes.failed : exitCodes.ok };
}

function toHealthRow(c: Connection, findings: Finding[], now: Date): HealthRow {
  // The refresh token was last proven good then; provider idle windows count from the same moment.
  const lastSuccess = latest(c.lastRefreshAt, c.refreshTokenObtainedAt);
  const expired = c.accessTokenExpiresAt !== undefined && Date.parse(c.accessTokenExpiresAt) <= now.getTime();
  // A github-app mints installation tokens from its app key, so it needs no refresh token.
  const canRenew = c.refreshTokenFp !== undefined || c.provider === 'github-app';
  // What the metadata alone shows, as notes beside the findings: health comes from the active findings
  // only (docs/design.md §12), and the rules read state.json's lastError too, so each note has its finding.
  const notes: string[] = [];
  if (c.lastError && (lastSuccess === null || Date.parse(c.lastError.at) > Date.parse(lastSuccess))) {
    notes.push(`the last attempt failed (${oneLine(c.lastError.error)}) and nothing has succeeded since`);
  }
  if (expired && !canRenew) notes.push(`the access token expired and there is no refresh token: broker login ${c.name}`);
  const health = findings.filter((f) => f.state === 'active').reduce<Health>((h, f) => worse(h, healthOfSeverity(f.severity)), 'ok');
  return {
    name: c.name,
    provider: c.provider,
    kind: c.kind,
    account: c.account ?? null,
    scopes: c.scopes,
    health,
    colour: healthColour[health],
    accessTokenExpiresAt: c.accessTokenExpiresAt ?? null,
    expiry: describeExpiry(c, now),
    lastRefreshAt: c.lastRefreshAt ?? null,
    lastRefresh: c.lastRefreshAt ? `${relative(now.getTime() - Date.parse(c.lastRefreshAt))} ago` : 'never',
    idleSince: lastSuccess,
    idle: lastSuccess ? `idle ${relative(now.getTime() - Date.parse(lastSuccess))}` : '',
    lastError: c.lastError ?? null,
    lastErrorText: c.lastError ? describeLastError(c.lastError, now) : '',
    notes,
    findings,
    connection: c,
  };
}

function describeExpiry(c: Connection, now: Date): string {
  if (c.accessTokenExpiresAt === undefined) return c.accessTokenFp === undefined ? 'no token' : 'never';
  const left = Date.parse(c.accessTokenExpiresAt) - now.getTime();
  return left > 0 ? `expires in ${relative(left)}` : `expired ${relative(-left)} ago`;
}

function describeLastError(e: LastError, now: Date): string {
  const status = e.status !== undefined ? ` (${e.status})` : '';
  return `${oneLine(e.error)}${status} ${relative(now.getTime() - Date.parse(e.at))} ago`;
}

/** "45 s", "12 min", "3 h", "171 days": floored, so an expiry is never overstated. */
export function relative(ms: number): string {
  const span = Math.max(0, ms);
  const unit = span < 60_000 ? 'second' : span < 3_600_000 ? 'minute' : span < 86_400_000 ? 'hour' : 'day';
  return formatDistanceStrict(0, span, { unit, roundingMethod: 'floor' })
    .replace(/ seconds?$/, ' s')
    .replace(/ minutes?$/, ' min')
    .replace(/ hours?$/, ' h');
}

/** info is not a health problem (a rate limit is not an auth failure). */
export function healthOfSeverity(s: Severity): Health {
  return s === 'info' ? 'ok' : s;
}

function worse(a: Health, b: Health): Health {
  return healthRank[a] <= healthRank[b] ? a : b;
}

function latest(...times: Array<string | undefined>): string | null {
  const known = times.filter((t): t is string => t !== undefined);
  return known.length === 0 ? null : known.reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b));
}

function oneLine(text: string): string {
  return stripControl(text.replace(/\s+/g, ' ').trim());
}
