import type { Diagnosis, RuleFailure } from './diagnose.js';
import { exitCodes } from './exit-codes.js';
import { isFailing, type Finding, type StoreStatus } from './findings.js';
import { toHealthRows, type Health } from './health-rows.js';
import type { Connection } from './state-schema.js';
import { stripControl } from './strip-control.js';

// What `broker doctor` reports, decided once; the text, JSON and terminal views only lay it out.

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
  /** Skipped lines by reason, most frequent first. */
  skipReasons: Array<{ reason: string; count: number }>;
  connections: DoctorConnection[];
  /** Active findings first (most severe first), then resolved ones. */
  findings: Finding[];
  /** Findings hidden by an acknowledgement. */
  acknowledged: number;
  ruleFailures: RuleFailure[];
  /** What `--probe` checked live, one line each (the findings read the same results as probe events). */
  probes?: ProbeSummary[];
  exitCode: number;
}

export interface ProbeSummary {
  conn: string;
  check: string;
  outcome: 'ok' | 'error';
  detail: string;
}

export interface DoctorInput extends Diagnosis {
  store: StoreStatus;
  since: Date | null;
  until: Date;
  linesRead: number;
  linesSkipped: number;
  skipReasons: Record<string, number>;
  connections: readonly Connection[];
  probes?: readonly ProbeSummary[];
}

/** Exit 1 while an active finding is error or critical; resolved findings are history, not health (docs/design.md §12). */
export function toDoctorReport(input: DoctorInput): DoctorReport {
  const rows = toHealthRows(input.connections, input.findings, input.until);
  return {
    store: input.store,
    window: { since: input.since?.toISOString() ?? null, until: input.until.toISOString() },
    linesRead: input.linesRead,
    linesSkipped: input.linesSkipped,
    skipReasons: Object.entries(input.skipReasons)
      .map(([reason, count]) => ({ reason: stripControl(reason), count }))
      .sort((a, b) => b.count - a.count),
    connections: rows.map((r) => ({ name: r.name, provider: r.provider, kind: r.kind, account: r.account, health: r.health })),
    // Summaries quote log text (paths, owners): no control character survives, even inside JSON that jq -r would decode.
    findings: input.findings.map((f) => ({ ...f, summary: stripControl(f.summary) })),
    acknowledged: input.acknowledged,
    ruleFailures: input.ruleFailures.map((f) => ({ ...f, message: stripControl(f.message) })),
    ...(input.probes ? { probes: input.probes.map((p) => ({ ...p, detail: stripControl(p.detail) })) } : {}),
    exitCode: input.findings.some(isFailing) ? exitCodes.failed : exitCodes.ok,
  };
}

export function activeFindings(report: { findings: readonly Finding[] }): Finding[] {
  return report.findings.filter((f) => f.state === 'active');
}

export function resolvedFindings(report: { findings: readonly Finding[] }): Finding[] {
  return report.findings.filter((f) => f.state === 'resolved');
}

/** "rule new-destination failed on events.jsonl:1234: …": one line per failed rule. */
export function describeRuleFailure(failure: RuleFailure): string {
  return `rule ${failure.rule} failed${failure.at ? ` on ${failure.at}` : ''}: ${failure.message}`;
}
