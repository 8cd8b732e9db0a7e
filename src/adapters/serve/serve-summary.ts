import { serveActivityWindowMs, summarizeServe, type ServeSummary } from '../../core/serve-runtime.js';
import { readEvents } from '../event-log-reader.js';
import type { HomePaths } from '../home.js';
import { readServeRuntime, serveIsAlive } from './runtime-file.js';

/**
 * What `broker status` says about serve: null when no serve.json exists (never started, or stopped
 * cleanly). The log is read only for a serve that runs, and only its last hour (the reader seeks by time).
 */
export async function readServeSummary(paths: HomePaths, now: Date): Promise<ServeSummary | null> {
  const runtime = readServeRuntime(paths);
  if (!runtime) return null;
  const alive = serveIsAlive(runtime);
  const events = alive ? (await readEvents(paths, { since: new Date(now.getTime() - serveActivityWindowMs), until: now })).events.map((e) => e.event) : [];
  return summarizeServe(runtime, alive, events, now);
}
