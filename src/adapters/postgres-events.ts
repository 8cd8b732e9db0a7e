import { appendFileSync, readFileSync, renameSync, statSync, unlinkSync } from 'node:fs';
import type { Client } from 'pg';
import type { LoggedEvent } from '../core/events.js';
import { parseEventLine } from '../core/parse-event.js';
import { maxLineBytes, type EventQuery } from './event-log-reader.js';
import type { StampedEvent } from './event-log-writer.js';
import { ensureHomeDirs, type HomePaths } from './home.js';
import { databaseError, type Db } from './postgres-db.js';
import type { EventTable, EventTableRead, EventTableReadOptions } from './store.js';

// The event log of every host in one table, broker.events (§14). Rows are read in time order, a
// page at a time by keyset (ts, id), so a window (--since) and a connection (--conn) are read
// through their indexes and memory holds one page. Each row's doc is the line a writer made, and
// is checked exactly as a log file's line is: the table is as untrusted as a file.

export const eventTableName = 'events';
const pageRows = 2_000;

interface EventRow {
  id: string;
  ts: string;
  line: string;
}

export interface EventPage {
  afterId?: number;
  /** The last row of the previous page. */
  after?: { ts: string; id: string };
  limit: number;
}

/** The statement that reads one page of a window; exported so a test can EXPLAIN it. */
export function eventPageSql(query: EventQuery, page: EventPage): { text: string; values: unknown[] } {
  const where: string[] = [];
  const values: unknown[] = [];
  const param = (value: unknown, cast = ''): string => {
    values.push(value);
    return `$${values.length}${cast}`;
  };
  if (query.since !== null) where.push(`ts >= ${param(query.since.toISOString(), '::timestamptz')}`);
  where.push(`ts <= ${param(query.until.toISOString(), '::timestamptz')}`);
  if (query.conn !== undefined) where.push(`conn = ${param(query.conn)}`);
  if (page.afterId !== undefined) where.push(`id > ${param(page.afterId, '::bigint')}`);
  if (page.after !== undefined) where.push(`(ts, id) > (${param(page.after.ts, '::timestamptz')}, ${param(page.after.id, '::bigint')})`);
  // Like grep over the raw line: the text a writer made, before any parsing.
  if (query.match !== undefined && query.match !== '') where.push(`strpos(doc::text, ${param(query.match)}) > 0`);
  return { text: `SELECT id, ts, doc::text AS line FROM broker.events WHERE ${where.join(' AND ')} ORDER BY ts, id LIMIT ${page.limit}`, values };
}

export function openEventTable(db: () => Promise<Db>): EventTable {
  return {
    name: eventTableName,
    async stream(query, onEvent, options: EventTableReadOptions = {}): Promise<EventTableRead> {
      const read: EventTableRead = { linesRead: 0, linesSkipped: 0, skipReasons: {}, files: [eventTableName], lastId: options.afterId ?? 0 };
      const skip = (reason: string) => {
        read.linesSkipped++;
        read.skipReasons[reason] = (read.skipReasons[reason] ?? 0) + 1;
      };
      const sinceMs = query.since?.getTime() ?? null;
      const untilMs = query.until.getTime();
      const database = await db();
      let after: EventPage['after'];
      for (;;) {
        const sql = eventPageSql(query, { afterId: options.afterId, after, limit: pageRows });
        let rows: EventRow[];
        try {
          rows = (await database.exclusive((client) => client.query<EventRow>(sql.text, sql.values))).rows;
        } catch (err) {
          throw databaseError(err, database.address, 'reading events');
        }
        for (const row of rows) {
          read.linesRead++;
          const id = Number(row.id);
          if (id > read.lastId) read.lastId = id;
          if (Buffer.byteLength(row.line, 'utf8') > maxLineBytes) {
            skip(`longer than ${maxLineBytes / 1024 / 1024} MiB`);
            continue;
          }
          const parsed = parseEventLine(row.line);
          if (!parsed.ok) {
            skip(parsed.reason);
            continue;
          }
          // The doc's own ts is what the rules see; a row whose column disagrees is held to the doc.
          if ((sinceMs !== null && parsed.ms < sinceMs) || parsed.ms > untilMs) continue;
          if (query.conn !== undefined && parsed.event.conn !== query.conn) continue;
          const logged: LoggedEvent = { event: parsed.event, file: eventTableName, line: id, t: parsed.ms };
          onEvent(logged);
        }
        options.onProgress?.(read.linesRead);
        if (rows.length < pageRows) break;
        const last = rows.at(-1)!;
        after = { ts: last.ts, id: last.id };
        await options.betweenPages?.();
      }
      return read;
    },
  };
}

/** A row as it is inserted: the columns the indexes need, and the line itself. */
export interface EventInsert {
  ts: string;
  event: string;
  conn: string | null;
  host: string | null;
  doc: string;
}

export function insertOf(record: StampedEvent): EventInsert {
  return { ts: record.ts, event: record.event, conn: record.conn ?? null, host: record.host, doc: JSON.stringify(record) };
}

/** One statement for a batch: the events keep the order they were stamped in. */
export async function insertEvents(client: Client, rows: readonly EventInsert[]): Promise<void> {
  await client.query(
    'INSERT INTO broker.events (ts, event, conn, host, doc) SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::json[])',
    [rows.map((r) => r.ts), rows.map((r) => r.event), rows.map((r) => r.conn), rows.map((r) => r.host), rows.map((r) => r.doc)],
  );
}

/**
 * Events that could not reach the database wait in the home (logs/events-unsent.jsonl) and are
 * sent by the next process on this host that reaches it, with their own ts, pid and host: the
 * record of a refresh whose tokens could not be stored is exactly what must not be lost.
 */
export function keepUnsent(paths: HomePaths, rows: readonly EventInsert[]): void {
  ensureHomeDirs(paths);
  appendFileSync(paths.unsentEvents, rows.map((r) => `${r.doc}\n`).join(''), { mode: 0o600 });
}

/** Sends what keepUnsent kept, in one transaction; returns how many events were sent. A failure puts them back. */
export async function sendUnsent(paths: HomePaths, client: Client): Promise<number> {
  if (statSync(paths.unsentEvents, { throwIfNoEntry: false }) === undefined) return 0;
  // Claimed by a rename, so two processes never send the same events twice.
  const claimed = `${paths.unsentEvents}.sending-${process.pid}`;
  try {
    renameSync(paths.unsentEvents, claimed);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  const text = readFileSync(claimed, 'utf8');
  const rows = text.split('\n').flatMap((line): EventInsert[] => {
    const parsed = parseEventLine(line);
    if (!parsed.ok) return [];
    const { event } = parsed;
    return [{ ts: new Date(parsed.ms).toISOString(), event: event.event, conn: event.conn ?? null, host: event.host ?? null, doc: line }];
  });
  try {
    await client.query('BEGIN');
    for (let i = 0; i < rows.length; i += 500) await insertEvents(client, rows.slice(i, i + 500));
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    appendFileSync(paths.unsentEvents, text, { mode: 0o600 });
    unlinkSync(claimed);
    throw err;
  }
  unlinkSync(claimed);
  return rows.length;
}
