import type { HealthRow, StatusReport } from '../core/health-rows.js';
import { stripControl } from '../core/strip-control.js';
import { connectionDetail } from './connection-detail.js';
import { columnWidths, describeStore, emptyStatusHint, statusColumns } from './status-columns.js';

/**
 * The piped form of `broker status`: the store line, then an aligned plain table (no ANSI).
 * With `detail` (status --conn NAME) each connection's full metadata and findings follow the table.
 */
export function formatStatusText(report: StatusReport, now: Date, detail = false): string {
  const lines = [describeStore(report.store)];
  if (!report.store.available) lines.push(`store unavailable: ${stripControl(report.store.problem ?? 'unknown problem')}`);
  if (report.rows.length === 0) {
    // A store that cannot be read may well hold connections (a database that is down): no advice to create one.
    if (report.store.available) lines.push(emptyStatusHint);
  } else {
    const widths = columnWidths(report.rows, false);
    const line = (cells: string[]): string => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
    lines.push(line(statusColumns.map((c) => c.header)));
    for (const row of report.rows) lines.push(line(statusColumns.map((c) => c.cell(row))));
  }
  for (const f of report.general) lines.push(`${f.severity}: ${f.id}: ${stripControl(f.summary)}`);
  if (detail) for (const row of report.rows) lines.push('', ...detailText(row, now));
  return `${lines.join('\n')}\n`;
}

function detailText(row: HealthRow, now: Date): string[] {
  const detail = connectionDetail(row, now);
  const width = Math.max(...detail.map((d) => d.label.length));
  return [
    `${row.name}: ${row.health}`,
    ...detail.map((d) => `  ${d.label.padEnd(width)}  ${d.value}`),
    ...row.findings.map((f) => `  ${f.severity} ${f.id}: ${stripControl(f.summary)}`),
    ...row.notes.map((n) => `  ${n}`),
  ];
}
