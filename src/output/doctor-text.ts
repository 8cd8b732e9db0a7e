import { activeFindings, describeRuleFailure, resolvedFindings, type DoctorReport } from '../core/doctor-report.js';
import type { Finding, Severity } from '../core/findings.js';
import type { Runbook } from '../core/runbook.js';
import { stripControl } from '../core/strip-control.js';

// Piped `broker doctor`: plain text a person reads top to bottom at 3am. Every line passes
// stripControl (summaries and evidence come from attacker-controlled log lines).

const severityLabel: Record<Severity, string> = { critical: 'CRITICAL', error: 'ERROR', warning: 'WARNING', info: 'INFO' };

export function formatDoctorText(report: DoctorReport, runbooks: ReadonlyMap<string, Runbook>): string {
  const out: string[] = [];
  const store = report.store.available
    ? `${report.store.backend} (${report.store.reason})`
    : `${report.store.backend} (${report.store.reason}): UNAVAILABLE`;
  const since = report.window.since ? utc(report.window.since) : 'the start of the log';
  out.push(`store: ${store}`);
  out.push(`window: ${since} to ${utc(report.window.until)}; ${report.linesRead} log lines read, ${report.linesSkipped} skipped${skipped(report)}`);
  out.push(`connections: ${report.connections.length === 0 ? 'none' : report.connections.map((c) => `${c.name} ${c.health}`).join(', ')}`);
  if (report.acknowledged > 0) out.push(`acknowledged: ${report.acknowledged} finding${report.acknowledged === 1 ? '' : 's'} hidden until their acknowledgement runs out`);
  for (const probe of report.probes ?? []) out.push(`probe ${probe.conn} ${probe.check}: ${probe.outcome === 'ok' ? 'ok' : 'FAILED'}: ${probe.detail}`);
  for (const failure of report.ruleFailures) out.push(`doctor problem: ${describeRuleFailure(failure)} (the other rules' findings are below)`);
  out.push('');
  const active = activeFindings(report);
  const resolved = resolvedFindings(report);
  if (active.length === 0) {
    const n = report.connections.length;
    out.push(n === 0 ? 'No findings, and no connections yet: add one with `broker connect NAME --provider P`.' : `No active findings: ${n === 1 ? 'the connection is' : `all ${n} connections are`} healthy now.`);
  } else {
    out.push(`${active.length} finding${active.length === 1 ? '' : 's'}: ${countBySeverity(active)}`);
    for (const finding of active) out.push('', ...formatFinding(finding, runbooks.get(finding.id)));
  }
  if (resolved.length > 0) {
    out.push('', `Resolved in the window (${resolved.length}): history, not health`);
    for (const finding of resolved) out.push(`  resolved ${finding.severity} ${finding.id}${finding.conn ? ` (${finding.conn})` : ''}: ${finding.summary}`);
  }
  return `${out.map(stripControl).join('\n')}\n`;
}

function skipped(report: DoctorReport): string {
  if (report.skipReasons.length === 0) return '';
  return ` (${report.skipReasons.slice(0, 3).map((r) => `${r.count} ${r.reason}`).join(', ')}${report.skipReasons.length > 3 ? ', …' : ''})`;
}

function formatFinding(finding: Finding, runbook: Runbook | undefined): string[] {
  const lines = [`${severityLabel[finding.severity]} ${finding.title ?? runbook?.title ?? finding.id}${finding.conn ? ` (${finding.conn})` : ''} [${finding.id}]`, `  ${finding.summary}`];
  if (finding.evidence.length > 0) {
    lines.push('  evidence:');
    for (const e of finding.evidence) lines.push(`    ${e.line > 0 ? `${e.file}:${e.line}` : e.file}  ${e.ts}  ${e.text}`);
  }
  const fix = runbook?.sections.Fix;
  if (fix) {
    lines.push(`  fix (runbooks/${finding.id}.md):`);
    for (const line of fix.split('\n')) lines.push(line === '' ? '' : `    ${line}`);
  }
  if (finding.actions.length > 0) {
    lines.push(`  actions: ${finding.actions.map((a) => `[${a.key}] ${a.label}`).join('; ')}`);
    lines.push(`  apply:   broker doctor --fix ${finding.id}${finding.conn ? ` --conn ${finding.conn}` : ''} --action ${finding.actions[0]?.key}`);
  }
  return lines;
}

/** "1 critical, 2 warning": the findings per severity, in the order they come (most severe first). */
export function countBySeverity(findings: readonly Finding[]): string {
  const counts = new Map<Severity, number>();
  for (const f of findings) counts.set(f.severity, (counts.get(f.severity) ?? 0) + 1);
  return [...counts].map(([s, n]) => `${n} ${s}`).join(', ');
}

function utc(iso: string): string {
  return `${iso.slice(0, 19).replace('T', ' ')} UTC`;
}
