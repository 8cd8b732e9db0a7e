import { relative, type HealthRow } from '../core/health-rows.js';
import { stripControl } from '../core/strip-control.js';

// Everything known about one connection, as label/value lines: the status detail view and `status --conn NAME`.

export interface DetailLine {
  label: string;
  value: string;
}

export function connectionDetail(row: HealthRow, now: Date): DetailLine[] {
  const c = row.connection;
  const when = (iso: string | undefined): string => (iso ? `${ago(iso, now)} (${iso})` : 'never');
  const lines: Array<[string, string | undefined]> = [
    ['provider', `${c.provider} · ${c.kind}`],
    ['account', c.account],
    ['scopes', c.scopes.join(' ') || '-'],
    ['access token', `${row.expiry}${c.accessTokenExpiresAt ? ` (${c.accessTokenExpiresAt})` : ''}${c.accessTokenFp ? ` · fp ${c.accessTokenFp}` : ''}`],
    ['refresh token', c.refreshTokenFp ? `fp ${c.refreshTokenFp} · obtained ${when(c.refreshTokenObtainedAt)}` : 'none'],
    ['last refresh', when(c.lastRefreshAt)],
    ['idle', row.idle || undefined],
    ['last used', when(c.lastUsedAt)],
    ['generation', String(c.generation)],
    ['client', [c.clientId && `id ${c.clientId}`, c.clientSecretSource && `secret from ${c.clientSecretSource}`, c.clientSecretFp && `secret fp ${c.clientSecretFp}`].filter(Boolean).join(' · ') || undefined],
    ['issuer', c.issuer],
    ['github app', c.appId !== undefined ? `app ${c.appId}` : undefined],
    ['installation', c.installation ? `${c.installation.id} (${c.installation.account})` : undefined],
    ['holder command', c.holderCommand],
    ['created', when(c.createdAt)],
    ['last error', row.lastErrorText || 'none'],
    ['error detail', [c.lastError?.description, c.lastError?.code && `code ${c.lastError.code}`].filter(Boolean).join(' · ') || undefined],
    ...c.acknowledgements.map((a): [string, string] => ['acknowledged', `${a.id} by ${a.by} until ${a.until}`]),
  ];
  return lines.filter((l): l is [string, string] => l[1] !== undefined).map(([label, value]) => ({ label, value: stripControl(value) }));
}

function ago(iso: string, now: Date): string {
  const ms = now.getTime() - Date.parse(iso);
  return ms >= 0 ? `${relative(ms)} ago` : `in ${relative(-ms)}`;
}
