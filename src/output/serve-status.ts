import { formatDistanceStrict } from 'date-fns';
import type { ServeSummary } from '../core/serve-runtime.js';
import { stripControl } from '../core/strip-control.js';

// The serve part of `broker status`: one line in text, one object in JSON.

/** "serve: running since …, last hour: a 42, b 3; last error: …", or nothing when serve never ran here. */
export function formatServeText(summary: ServeSummary | null, now: Date): string {
  if (!summary) return '';
  const since = `${summary.since.slice(0, 19).replace('T', ' ')} UTC`;
  if (!summary.running) return `serve: not running (pid ${summary.pid}, started ${since}, stopped without cleaning up: killed or crashed)\n`;
  const calls = Object.entries(summary.callsLastHour).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const activity = calls.length > 0 ? calls.map(([conn, n]) => `${conn} ${n}`).join(', ') : 'no calls';
  const error = summary.lastError ? `; last error ${formatDistanceStrict(new Date(summary.lastError.at), now)} ago${summary.lastError.conn ? ` on ${summary.lastError.conn}` : ''}: ${summary.lastError.message}` : '';
  return `${stripControl(`serve: running at ${summary.url} since ${since} (pid ${summary.pid}); last hour: ${activity}${error}`)}\n`;
}

export function serveJson(summary: ServeSummary | null): ServeSummary | { running: false } {
  return summary ?? { running: false };
}
