// A realistic event log for benchmarks: what a broker serving a handful of agents writes in a month.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { rotatedLogPath } from '../src/core/log-files.js';
import type { HomePaths } from '../src/adapters/home.js';

export const connections = [
  { name: 'github-work', target: 'api.github.com', paths: ['/repos/acme/api/pulls?state=open', '/repos/acme/web/issues/4412/comments', '/user', '/repos/acme/infra/contents/deploy.yaml'] },
  { name: 'google-drive', target: 'www.googleapis.com', paths: ['/drive/v3/files?q=trashed%3Dfalse', '/drive/v3/files/1AbCdEfGhIjK/export', '/oauth2/v3/userinfo'] },
  { name: 'slack-bot', target: 'slack.com', paths: ['/api/chat.postMessage', '/api/conversations.history', '/api/users.info'] },
  { name: 'linear-sync', target: 'api.linear.app', paths: ['/graphql'] },
  { name: 'azure-graph', target: 'graph.microsoft.com', paths: ['/v1.0/me', '/v1.0/users/ana@contoso.example/messages', '/v1.0/sites/root/drive'] },
] as const;
const hosts = ['build-1', 'build-2', 'build-3', 'build-4', 'ci-runner-7', 'ana-laptop'];
const agents = ['claude', 'codex', 'nightly-sync', 'triage-bot'];

function fp(seed: number): string {
  return ((seed * 2654435761) >>> 0).toString(16).padStart(8, '0') + ((seed * 40503) & 0xffff).toString(16).padStart(4, '0');
}

/**
 * Streams the log in 4 MB blocks: ts grows over `days` up to now (a few ms out of order now and
 * then, as concurrent writers leave it), mostly requests and token hand-outs, refreshes every few
 * minutes per connection, and a thin trickle of failures (invalid_grant, 401, 403, 429).
 */
export function generateLog(path: string, now: number, totalLines: number, days: number): { bytes: number; invalidGrant: number } {
  const fd = openSync(path, 'w', 0o600);
  const start = now - days * 86_400_000;
  const step = (days * 86_400_000) / totalLines;
  let batch: string[] = [];
  let batchBytes = 0;
  let bytes = 0;
  let invalidGrant = 0;
  for (let i = 0; i < totalLines; i++) {
    const jitter = i % 101 === 7 ? -3 : 0;
    const ts = new Date(Math.floor(start + i * step) + jitter).toISOString();
    const conn = connections[i % connections.length] as (typeof connections)[number];
    const host = hosts[(i >>> 7) % hosts.length] as string;
    const pid = 40_000 + ((i >>> 11) % 9_000);
    const agent = agents[(i >>> 9) % agents.length] as string;
    const generation = 1 + Math.floor(i / 3_000);
    const roll = (i * 7919) % 1000;
    let line: string;
    if (roll < 150) {
      line = `{"ts":"${ts}","event":"token","conn":"${conn.name}","at_fp":"${fp(generation)}","generation":${generation},"pid":${pid},"host":"${host}","agent":"${agent}"}`;
    } else if (roll < 190) {
      const failed = roll === 189 && i % 3 === 0;
      if (failed) invalidGrant++;
      line = failed
        ? `{"ts":"${ts}","event":"refresh","conn":"${conn.name}","trigger":"reactive","outcome":"error","status":400,"error":"invalid_grant","error_description":"The provided authorization grant is invalid, expired, or revoked","rt_fp":"${fp(generation + 7)}","lock_wait_ms":${i % 900},"duration_ms":${80 + (i % 300)},"pid":${pid},"host":"${host}","agent":"${agent}"}`
        : `{"ts":"${ts}","event":"refresh","conn":"${conn.name}","trigger":"proactive","outcome":"ok","status":200,"rt_fp":"${fp(generation + 7)}","new_rt_fp":"${fp(generation + 8)}","at_fp":"${fp(generation)}","generation":${generation},"lock_wait_ms":${i % 40},"duration_ms":${90 + (i % 250)},"pid":${pid},"host":"${host}","agent":"${agent}"}`;
    } else {
      const status = roll === 500 ? 401 : roll === 501 ? 403 : roll === 502 ? 429 : 200;
      const path = conn.paths[i % conn.paths.length] as string;
      const method = path.startsWith('/api/chat') || path === '/graphql' ? 'POST' : 'GET';
      line = `{"ts":"${ts}","event":"request","conn":"${conn.name}","method":"${method}","target":"${conn.target}","path":"${path}","status":${status},"at_fp":"${fp(generation)}","duration_ms":${20 + (i % 480)}${conn.name === "github-work" ? `,"x-ratelimit-remaining":"${4999 - (i % 5000)}"` : ""},"pid":${pid},"host":"${host}","agent":"${agent}"}`;
    }
    batch.push(line);
    batchBytes += line.length + 1;
    if (batchBytes > 4 * 1024 * 1024 || i === totalLines - 1) {
      const chunk = Buffer.from(`${batch.join('\n')}\n`, 'utf8');
      writeSync(fd, chunk);
      bytes += chunk.length;
      batch = [];
      batchBytes = 0;
    }
  }
  closeSync(fd);
  return { bytes, invalidGrant };
}

/** The same lines as the writer leaves them with its default rotation: 64 MiB files, events.N.jsonl oldest. */
export function splitLikeTheWriter(single: string, paths: HomePaths, rotationBytes = 64 * 1024 * 1024): number {
  const split = spawnSync('split', ['-C', String(rotationBytes), '-d', '-a', '3', single, join(paths.logs, 'part-')]);
  if (split.status !== 0) throw new Error(`split failed: ${split.stderr.toString()}`);
  const parts = readdirSync(paths.logs).filter((name) => name.startsWith('part-')).sort();
  parts.forEach((part, i) => {
    const n = parts.length - 1 - i;
    renameSync(join(paths.logs, part), n === 0 ? paths.events : rotatedLogPath(paths.events, n));
  });
  return parts.length;
}

/** A state.json naming the log's connections, so the doctor's rules have something to diagnose. */
export function writeBenchState(paths: HomePaths): void {
  const providers: Record<string, string> = { 'github-work': 'github', 'google-drive': 'google', 'slack-bot': 'slack', 'linear-sync': 'linear', 'azure-graph': 'microsoft' };
  const entries = connections.map((c) => [c.name, { name: c.name, provider: providers[c.name], kind: 'service', createdAt: '2026-01-01T00:00:00.000Z' }]);
  writeFileSync(paths.state, `${JSON.stringify({ version: 1, homeId: '0123456789abcdef', connections: Object.fromEntries(entries) })}\n`, { mode: 0o600 });
}
