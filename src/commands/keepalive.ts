import { formatDistanceStrict } from 'date-fns';
import { BrokerError, usageError } from '../core/broker-error.js';
import { exitCodes } from '../core/exit-codes.js';
import { parseSince } from '../core/parse-since.js';
import type { Connection } from '../core/state-schema.js';
import { defineCommand, type OptionValues } from './command.js';
import type { Deps } from './deps.js';
import { refreshNow } from './refresh.js';

export interface KeepaliveOptions {
  idleOverMs: number;
  idleOver: string;
  json: boolean;
}

export interface KeepaliveLine {
  conn: string;
  result: 'refreshed' | 'not-idle' | 'skipped' | 'failed';
  detail: string;
  generation?: number;
  idleMs?: number;
}

const defaultIdleOver = '7d';

export const keepaliveCommand = defineCommand<KeepaliveOptions>({
  name: 'keepalive',
  usage: `Usage: broker keepalive [--idle-over 7d] [--json]

Refreshes, under each connection's lock, every connection with a refresh token that has not been
refreshed for longer than --idle-over (default ${defaultIdleOver}), so providers that revoke idle refresh
tokens (Google 6 months, Microsoft 90 days, Atlassian 90 days) never get the chance. Never prompts;
prints one line per connection. Exit code 1 when any refresh failed.

Options:
  --idle-over D   30m, 12h, 7d, 2w … (default ${defaultIdleOver})
  --json          print {idleOver, connections: [{conn, result, detail, generation?, idleMs?}]}
`,
  options: { 'idle-over': { type: 'string' }, json: { type: 'boolean' } },
  parse(values: OptionValues, positionals: string[]) {
    if (positionals.length > 0) throw usageError('keepalive takes no NAME: it looks at every connection', 'broker keepalive [--idle-over 7d]');
    const idleOver = typeof values['idle-over'] === 'string' ? values['idle-over'] : defaultIdleOver;
    const parsed = parseSince(idleOver);
    if (!parsed || parsed.all) throw usageError(`--idle-over "${idleOver}" is not a duration`, 'use 30m, 12h, 7d or 2w');
    return { idleOverMs: parsed.ms, idleOver, json: values.json === true };
  },
  async run(opts, deps) {
    const lines: KeepaliveLine[] = [];
    for (const connection of deps.state().list()) {
      const line = await keepAlive(deps, connection, opts.idleOverMs);
      lines.push(line);
      if (!opts.json) deps.io.stdout.write(`${line.conn}: ${line.result}: ${line.detail}\n`);
    }
    if (opts.json) deps.io.stdout.write(`${JSON.stringify({ idleOver: opts.idleOver, connections: lines }, null, 2)}\n`);
    return lines.some((l) => l.result === 'failed') ? exitCodes.failed : exitCodes.ok;
  },
});

async function keepAlive(deps: Deps, connection: Connection, idleOverMs: number): Promise<KeepaliveLine> {
  const conn = connection.name;
  if (connection.provider === 'github-app') return { conn, result: 'skipped', detail: 'installation tokens are minted on demand; nothing goes idle' };
  let hasRefreshToken: boolean;
  try {
    const bundle = await deps.tokens().read(conn);
    if (!bundle) return { conn, result: 'skipped', detail: `no token stored (broker login ${conn})` };
    hasRefreshToken = bundle.refresh_token !== undefined;
  } catch (err) {
    if (!(err instanceof BrokerError)) throw err;
    return { conn, result: 'failed', detail: err.message };
  }
  if (!hasRefreshToken) return { conn, result: 'skipped', detail: 'no refresh token: nothing to keep alive' };
  const now = deps.now();
  const last = connection.lastRefreshAt ?? connection.refreshTokenObtainedAt ?? connection.createdAt;
  const idleMs = Math.max(0, now.getTime() - Date.parse(last));
  const idle = formatDistanceStrict(Date.parse(last), now);
  if (idleMs < idleOverMs) return { conn, result: 'not-idle', detail: `last refreshed ${idle} ago`, idleMs };
  const { report } = await refreshNow(deps, conn, 'keepalive');
  if (report.outcome === 'ok') {
    const how = report.adopted ? 'another process had just refreshed it' : `idle ${idle}`;
    return { conn, result: 'refreshed', detail: `${how}; generation ${report.generation}`, generation: report.generation, idleMs };
  }
  return { conn, result: 'failed', detail: `${report.error}${report.hint ? ` (fix: ${report.hint})` : ''}`, idleMs };
}
