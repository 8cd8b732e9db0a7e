import type { HealthRow } from '../core/health-rows.js';
import { stripControl } from '../core/strip-control.js';
import { connectionDetail } from '../output/connection-detail.js';
import { hangUnder, wrapText, type StyledLine } from '../output/styled-lines.js';

// The status detail of one connection, laid out for the terminal's width so it scrolls in the viewport.

export function connectionDetailLines(row: HealthRow, now: Date, width: number): StyledLine[] {
  const fields = connectionDetail(row, now);
  const labelWidth = Math.max(...fields.map((l) => l.label.length));
  const lines: StyledLine[] = [];
  for (const f of fields) lines.push(...hangUnder([{ text: `${f.label.padEnd(labelWidth)}  `, style: 'muted' }], [{ text: f.value, style: 'text' }], width, 2));
  lines.push([], [{ text: 'Findings (last 24 h)', style: 'heading' }]);
  if (row.findings.length === 0 && row.notes.length === 0) lines.push([{ text: '  none', style: 'muted' }]);
  for (const f of row.findings) {
    const label = f.state === 'resolved' ? { text: 'resolved', style: 'muted' as const } : { text: f.severity, style: f.severity };
    lines.push(...hangUnder([label, { text: ' ', style: 'text' }], [{ text: `${f.id}: ${stripControl(f.summary)}`, style: f.state === 'resolved' ? 'muted' : 'text' }], width, 2));
  }
  for (const note of row.notes) lines.push(...hangUnder([{ text: 'error', style: 'error' }, { text: ' ', style: 'text' }], [{ text: stripControl(note), style: 'text' }], width, 2));
  if (row.findings.length > 0) lines.push([], ...wrapText("d: these findings in the doctor, with the evidence, the runbook and the fix keys", width, 'muted'));
  return lines;
}
