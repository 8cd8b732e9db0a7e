import type { Facts } from '../core/findings.js';
import type { Deps } from './deps.js';

export interface FactsWindow {
  since: Date | null;
  until: Date;
  conn?: string;
}

export interface GatheredFacts {
  facts: Facts;
  window: FactsWindow;
  linesRead: number;
  linesSkipped: number;
}

/** Reads everything a diagnosis needs: state, the token store's status, and the events in the window. */
export async function gatherFacts(deps: Deps, window: FactsWindow): Promise<GatheredFacts> {
  const connections = deps.state().list().filter((c) => window.conn === undefined || c.name === window.conn);
  const store = await deps.tokens().status();
  // The event log reader is wired in with the reader itself (src/adapters/event-log-reader.ts).
  return { facts: { connections, events: [], now: window.until, env: deps.env, store }, window, linesRead: 0, linesSkipped: 0 };
}
