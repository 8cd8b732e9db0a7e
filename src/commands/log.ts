import { once } from 'node:events';
import { noSuchConnection, usageError } from '../core/broker-error.js';
import { exitCodes } from '../core/exit-codes.js';
import { parseSince, sinceHelp, sinceStart, type Since } from '../core/parse-since.js';
import { stripControl } from '../core/strip-control.js';
import { streamEvents } from '../adapters/event-log-reader.js';
import type { LoggedEvent } from '../core/events.js';
import { formatLogLine, logJsonEvents, logJsonHead, logJsonTail } from '../output/log-text.js';
import { defineCommand } from './command.js';

export interface LogOptions {
  conn?: string;
  since: Since;
  sinceText: string;
  match?: string;
  json: boolean;
}

export const logCommand = defineCommand<LogOptions>({
  name: 'log',
  usage: `Usage: broker log [--conn NAME] [--since 24h] [--match TEXT] [--json]

Prints the events of the window, oldest first, one per line: time, connection, event, fields.
Secrets are shown only as fingerprints; control characters from the log are never printed.
Lines that are not events (malformed, too long, no time) are skipped and counted on stderr.

Options:
  --conn NAME     only this connection's events
  --since D       the window: ${sinceHelp} (default: 24h)
  --match TEXT    only lines whose raw text contains TEXT, like grep
  --json          one JSON document: {"window", "events", "linesRead", "linesSkipped", "files"}
`,
  options: {
    conn: { type: 'string' },
    since: { type: 'string' },
    match: { type: 'string' },
    json: { type: 'boolean' },
  },
  parse(values, positionals) {
    if (positionals.length > 0) throw usageError(`log takes no arguments, got "${positionals[0]}"`, 'broker log [--conn NAME] [--since 24h]');
    const sinceText = typeof values.since === 'string' ? values.since : '24h';
    const since = parseSince(sinceText);
    if (since === null) throw usageError(`--since "${sinceText}" is not a duration`, `use ${sinceHelp}`);
    const conn = typeof values.conn === 'string' ? values.conn : undefined;
    const match = typeof values.match === 'string' && values.match !== '' ? values.match : undefined;
    return { conn, since, sinceText, match, json: values.json === true };
  },
  async run(opts, deps) {
    const until = deps.now();
    const since = sinceStart(opts.since, until);
    const out = deps.io.stdout;
    const json = deps.mode === 'json';
    // Events are written as they are read, a thousand at a time, so `--since all` never holds the log.
    let batch: LoggedEvent[] = [];
    let written = 0;
    const flush = (): void => {
      if (batch.length === 0) return;
      out.write(json ? logJsonEvents(batch, written === 0) : batch.map((logged) => `${formatLogLine(logged)}\n`).join(''));
      written += batch.length;
      batch = [];
    };
    if (json) out.write(logJsonHead({ since: since?.toISOString() ?? null, until: until.toISOString() }));
    const query = { since, until, conn: opts.conn, match: opts.match };
    const onEvent = (logged: LoggedEvent): void => {
      batch.push(logged);
      if (batch.length >= 1000) flush();
    };
    const drained = () => (out.writableNeedDrain ? once(out, 'drain') : undefined);
    const table = deps.store.eventTable;
    const summary = table ? await table.stream(query, onEvent, { betweenPages: drained }) : await streamEvents(deps.paths, query, onEvent, { betweenChunks: drained });
    flush();
    if (json) out.write(logJsonTail(summary));
    // A removed connection's events are still worth reading; a name that is neither in state nor in the log is a typo.
    if (opts.conn !== undefined && written === 0 && !deps.state().get(opts.conn)) {
      const unknown = noSuchConnection(opts.conn);
      deps.io.stderr.write(`broker: ${unknown.message}, and the log has no events for it${opts.since.all ? '' : ` in the last ${opts.sinceText}`}\n  fix: ${unknown.hint}\n`);
      return unknown.exitCode;
    }
    if (json) return exitCodes.ok;
    const scope = `${opts.conn === undefined ? '' : ` for ${stripControl(opts.conn)}`}${opts.since.all ? '' : ` in the last ${opts.sinceText}`}`;
    const skipped = summary.linesSkipped > 0 ? `; ${summary.linesSkipped} line(s) skipped (not events: malformed, over 1 MiB, or no time)` : '';
    deps.io.stderr.write(`${written} event(s)${scope}, ${summary.linesRead} line(s) read from ${summary.files.length === 0 ? 'no log file' : summary.files.join(', ')}${skipped}\n`);
    return exitCodes.ok;
  },
});
