import { usageError } from '../core/broker-error.js';
import { exitCodes } from '../core/exit-codes.js';
import { parseSince, sinceHelp, sinceStart, type Since } from '../core/parse-since.js';
import { stripControl } from '../core/strip-control.js';
import { readEvents } from '../adapters/event-log-reader.js';
import { formatLogJson, formatLogText } from '../output/log-text.js';
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
  summary: 'read the event log, redacted',
  usage: `Usage: broker log [--conn NAME] [--since 24h] [--match TEXT] [--json]

Prints the events of the window, oldest first, one per line: time, connection, event, fields.
Secrets are shown only as fingerprints; control characters from the log are never printed.
Lines that are not events (malformed, too long, no time) are skipped and counted on stderr.

Options:
  --conn NAME     only this connection's events
  --since D       the window: ${sinceHelp} (default: 24h)
  --match TEXT    only lines whose raw text contains TEXT, like grep
  --json          one JSON document: {"window", "linesRead", "linesSkipped", "files", "events"}
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
    const read = await readEvents(deps.paths, { since, until, conn: opts.conn, match: opts.match });
    const window = { since: since?.toISOString() ?? null, until: until.toISOString() };
    if (deps.mode === 'json') {
      for (const piece of formatLogJson({ window, linesRead: read.linesRead, linesSkipped: read.linesSkipped, files: read.files, events: read.events })) deps.io.stdout.write(piece);
      return exitCodes.ok;
    }
    deps.io.stdout.write(formatLogText(read.events));
    const scope = `${opts.conn === undefined ? '' : ` for ${stripControl(opts.conn)}`}${opts.since.all ? '' : ` in the last ${opts.sinceText}`}`;
    const skipped = read.linesSkipped > 0 ? `; ${read.linesSkipped} line(s) skipped (not events: malformed, over 1 MiB, or no time)` : '';
    deps.io.stderr.write(`${read.events.length} event(s)${scope}, ${read.linesRead} line(s) read from ${read.files.length === 0 ? 'no log file' : read.files.join(', ')}${skipped}\n`);
    return exitCodes.ok;
  },
});
