import { describeRuleFailure, type DoctorReport } from '../core/doctor-report.js';
import { safeJson } from './log-text.js';

/** The stable `broker doctor --json` document (docs/design.md §2); C1 controls and DEL escaped like every JSON we print. */
export function formatDoctorJson(report: DoctorReport): string {
  const document = {
    store: report.store,
    window: report.window,
    linesRead: report.linesRead,
    linesSkipped: report.linesSkipped,
    skipReasons: report.skipReasons,
    connections: report.connections,
    acknowledged: report.acknowledged,
    ruleFailures: report.ruleFailures.map((f) => ({ ...f, text: describeRuleFailure(f) })),
    ...(report.probes ? { probes: report.probes } : {}),
    findings: report.findings.map((f) => ({
      id: f.id,
      title: f.title ?? null,
      severity: f.severity,
      state: f.state,
      ...(f.resolvedAt ? { resolvedAt: f.resolvedAt } : {}),
      conn: f.conn,
      ...(f.subject !== undefined ? { subject: f.subject } : {}),
      summary: f.summary,
      evidence: f.evidence.map((e) => ({ file: e.file, line: e.line, ts: e.ts, text: e.text })),
      actions: f.actions.map((a) => ({ key: a.key, action: a.action, label: a.label })),
    })),
  };
  return `${safeJson(document, 2)}\n`;
}
