import { readRunbooks } from '../../src/adapters/runbook-files.js';
import { diagnoseEvents } from '../../src/core/diagnose.js';
import { toDoctorReport, type DoctorReport } from '../../src/core/doctor-report.js';
import type { StatusSnapshot } from '../../src/core/health-rows.js';
import { parseTimedEvent } from '../../src/core/parse-event.js';
import { withRunbook, type Runbook } from '../../src/core/runbook.js';
import { loadScenario, scenarioContext } from '../../fixtures/scenarios/load-scenario.js';

// The several-failures scenario plus a later successful refresh of agent-oidc: its refresh race is
// resolved, the wrong installation, the personal token in CI and the rate limit are still active.
// The report is what `broker doctor --since all` would show at the scenario's now.

export interface ResolvedScenario {
  report: DoctorReport;
  runbooks: Map<string, Runbook>;
  snapshot: StatusSnapshot;
}

export function resolvedScenario(): ResolvedScenario {
  const scenario = loadScenario('several-failures');
  const ctx = scenarioContext(scenario);
  const later = JSON.stringify({
    ts: '2026-11-22T08:50:00.000Z',
    event: 'refresh',
    conn: 'agent-oidc',
    trigger: 'manual',
    outcome: 'ok',
    status: 200,
    rt_fp: '98371665097b',
    new_rt_fp: '0badc0ffee00',
    at_fp: '1234567890ab',
    generation: 939,
    lock_wait_ms: 1,
    duration_ms: 300,
    pid: 5120,
    host: 'agent-host-1',
  });
  const parsed = parseTimedEvent(later);
  if (!parsed) throw new Error('the later refresh is not a valid event');
  const events = [...scenario.events, { event: parsed.event, file: scenario.events[0]!.file, line: scenario.events.length + 1, t: parsed.ms }];
  const diagnosis = diagnoseEvents(ctx, events);
  const runbooks = readRunbooks([...new Set(diagnosis.findings.map((f) => f.id))]);
  const findings = diagnosis.findings.map((f) => withRunbook(f, runbooks.get(f.id)));
  const report = toDoctorReport({
    ...diagnosis,
    findings,
    store: ctx.store,
    since: null,
    until: ctx.now,
    linesRead: events.length,
    linesSkipped: 0,
    skipReasons: {},
    connections: ctx.connections,
  });
  return { report, runbooks, snapshot: { store: ctx.store, connections: [...ctx.connections], findings } };
}
