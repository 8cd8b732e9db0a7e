import { streamEvents } from '../adapters/event-log-reader.js';
import { startDiagnosis, type Diagnosis } from '../core/diagnose.js';
import type { StoreStatus } from '../core/findings.js';
import type { Connection } from '../core/state-schema.js';
import type { Deps } from './deps.js';

export interface DiagnosisWindow {
  since: Date | null;
  until: Date;
  conn?: string;
}

export interface HomeDiagnosis extends Diagnosis {
  connections: Connection[];
  store: StoreStatus;
  window: DiagnosisWindow;
  linesRead: number;
  linesSkipped: number;
  skipReasons: Record<string, number>;
}

/**
 * The diagnosis of a home: state, the token store's status, and every event in the window folded
 * through the rules as it is read, so memory does not grow with the log.
 */
export async function diagnoseHome(deps: Deps, window: DiagnosisWindow): Promise<HomeDiagnosis> {
  const connections = deps.state().list().filter((c) => window.conn === undefined || c.name === window.conn);
  const store = await deps.tokens().status();
  const run = startDiagnosis(connections);
  const read = await streamEvents(deps.paths, window, (logged) => run.observe(logged));
  const diagnosis = run.finish({ connections, now: window.until, env: deps.env, store });
  return { ...diagnosis, connections, store, window, linesRead: read.linesRead, linesSkipped: read.linesSkipped, skipReasons: read.skipReasons };
}
