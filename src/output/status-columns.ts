import type { HealthRow } from '../core/health-rows.js';
import { stripControl } from '../core/strip-control.js';

// The health grid's columns, shared by the piped table and the Ink grid so both read the same.

export interface StatusColumn {
  header: string;
  cell(row: HealthRow): string;
  /** The Ink grid cuts cells to fit the terminal, between these widths; the piped table never cuts. */
  maxWidth: number;
  minWidth: number;
}

export const statusColumns: StatusColumn[] = [
  { header: 'NAME', cell: (r) => r.name, maxWidth: 24, minWidth: 24 },
  { header: 'PROVIDER', cell: (r) => r.provider, maxWidth: 10, minWidth: 10 },
  { header: 'KIND', cell: (r) => r.kind, maxWidth: 8, minWidth: 8 },
  { header: 'ACCOUNT', cell: (r) => stripControl(r.account ?? '-'), maxWidth: 24, minWidth: 10 },
  { header: 'SCOPES', cell: (r) => stripControl(r.scopes.join(',') || '-'), maxWidth: 20, minWidth: 8 },
  { header: 'ACCESS TOKEN', cell: (r) => r.expiry, maxWidth: 22, minWidth: 20 },
  { header: 'LAST REFRESH', cell: (r) => r.lastRefresh, maxWidth: 14, minWidth: 12 },
  { header: 'IDLE', cell: (r) => r.idle || '-', maxWidth: 15, minWidth: 13 },
  { header: 'LAST ERROR', cell: (r) => r.lastErrorText || '-', maxWidth: 36, minWidth: 24 },
  // The Ink grid draws health as a badge, one space of padding each side.
  { header: 'HEALTH', cell: (r) => r.health, maxWidth: 8, minWidth: 8 },
];

/** Each column as wide as its widest cell (or header), capped by maxWidth when `cap` is set. */
export function columnWidths(rows: readonly HealthRow[], cap: boolean): number[] {
  return statusColumns.map((col) => {
    const widest = Math.max(col.header.length, ...rows.map((r) => col.cell(r).length));
    return cap ? Math.min(widest, col.maxWidth) : widest;
  });
}

export const emptyStatusHint = 'no connections yet — broker connect NAME --provider P --token-stdin';

export function describeStore(store: { backend: string; reason: string }): string {
  return `token store: ${store.backend} (${stripControl(store.reason)})`;
}
