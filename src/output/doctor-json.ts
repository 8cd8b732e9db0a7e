import type { DoctorReport } from '../core/doctor-report.js';
import { safeJson } from './log-text.js';

/** The stable `broker doctor --json` document (DESIGN §2); C1 controls and DEL escaped like every JSON we print. */
export function formatDoctorJson(report: DoctorReport): string {
  const document = {
    store: report.store,
    window: report.window,
    linesRead: report.linesRead,
    linesSkipped: report.linesSkipped,
    connections: report.connections,
    findings: report.findings.map((f) => ({
      id: f.id,
      severity: f.severity,
      conn: f.conn,
      summary: f.summary,
      evidence: f.evidence.map((e) => ({ file: e.file, line: e.line, ts: e.ts, text: e.text })),
      actions: f.actions.map((a) => ({ key: a.key, action: a.action, label: a.label })),
    })),
  };
  return `${safeJson(document, 2)}\n`;
}
