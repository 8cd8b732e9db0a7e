import type { Facts } from '../core/findings.js';
import { readEvents } from '../adapters/event-log-reader.js';
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
  const log = await readEvents(deps.paths, window);
  return { facts: { connections, events: log.events, now: window.until, env: deps.env, store }, window, linesRead: log.linesRead, linesSkipped: log.linesSkipped };
}
