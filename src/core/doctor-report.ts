import { exitCodes } from './exit-codes.js';
import type { Finding, StoreStatus } from './findings.js';
import { toHealthRows, type Health } from './health-rows.js';
import type { Connection } from './state-schema.js';
import { stripControl } from './strip-control.js';

// What `broker doctor` reports, decided once; the text and JSON formatters only lay it out.

export interface DoctorConnection {
  name: string;
  provider: Connection['provider'];
  kind: Connection['kind'];
  account: string | null;
  health: Health;
}

export interface DoctorReport {
  store: StoreStatus;
  window: { since: string | null; until: string };
  linesRead: number;
  linesSkipped: number;
  connections: DoctorConnection[];
  /** Most severe first (diagnose() order). */
  findings: Finding[];
  exitCode: number;
}

export interface DoctorInput {
  store: StoreStatus;
  since: Date | null;
  until: Date;
  linesRead: number;
  linesSkipped: number;
  connections: readonly Connection[];
  findings: Finding[];
}

export function toDoctorReport(input: DoctorInput): DoctorReport {
  const rows = toHealthRows(input.connections, input.findings, input.until);
  const failing = input.findings.some((f) => f.severity === 'critical' || f.severity === 'error');
  return {
    store: input.store,
    window: { since: input.since?.toISOString() ?? null, until: input.until.toISOString() },
    linesRead: input.linesRead,
    linesSkipped: input.linesSkipped,
    connections: rows.map((r) => ({ name: r.name, provider: r.provider, kind: r.kind, account: r.account, health: r.health })),
    // Summaries quote log text (paths, owners): no control character survives, even inside JSON that jq -r would decode.
    findings: input.findings.map((f) => ({ ...f, summary: stripControl(f.summary) })),
    exitCode: failing ? exitCodes.failed : exitCodes.ok,
  };
}
