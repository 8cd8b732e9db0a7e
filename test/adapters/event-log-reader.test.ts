import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { readEvents, maxLineBytes, streamEvents } from '../../src/adapters/event-log-reader.js';
import type { LoggedEvent } from '../../src/core/events.js';
import { homePaths, type HomePaths } from '../../src/adapters/home.js';
import { rotatedLogPath } from '../../src/core/log-files.js';
import { tempHome } from '../support/temp-home.js';

function logHome(): HomePaths {
  const paths = homePaths(tempHome('broker-reader-'));
  mkdirSync(paths.logs, { recursive: true });
  return paths;
}

const until = new Date('2026-11-22T12:00:00.000Z');

function line(ts: string, event: string, fields: Record<string, unknown> = {}): string {
  return JSON.stringify({ ts, event, ...fields });
}

describe('readEvents survives any line', () => {
  const paths = logHome();
  const hugeLine = `{"ts":"2026-11-22T10:00:02.000Z","event":"request","path":"/${'a'.repeat(10 * 1024 * 1024)}"}`;
  const parts: Array<string | Buffer> = [
    line('2026-11-22T10:00:00.000Z', 'token', { conn: 'work', at_fp: 'aaaaaaaaaaaa', generation: 1 }), // 1
    '{"ts":"2026-11-22T10:00:01.000Z","event":"refresh",', // 2: malformed
    hugeLine, // 3: 10 MB
    Buffer.concat([Buffer.from('{"ts":"2026-11-22T10:00:03.000Z","event":"request","conn":"work","method":"GET","target":"api.example","path":"/r/'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('x","status":200}')]), // 4: invalid UTF-8 in a field
    Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x80, 0x81]), // 5: binary garbage
    line('2026-11-22T10:00:04.000Z', 'request', { conn: 'work', method: 'GET', target: 'api.example', path: '/x\u001b[2J\u001b]0;pwned\u0007', status: 401 }), // 6: escape sequences
    '', // 7: blank
    line('2026-11-22T10:00:05.000Z', 'teleport', { conn: 'work' }), // 8: unknown event
    '[1,2,3]', // 9: not an object
    line('yesterday', 'token'), // 10: bad ts
    line('2026-11-22T10:00:06.000Z', 'refresh', { conn: 'other', outcome: 'ok' }), // 11
    line('2026-11-22T10:00:06.500Z', 'refresh', { conn: 'z', outcome: 'error', error: ['invalid_grant'] }), // 12: a field of the wrong type
    line('2026-11-22T10:00:06.600Z', 'request', { conn: 'z', method: 'GET', path: '/', status: 200 }), // 13: a required field missing
  ];
  const bytes = Buffer.concat(parts.flatMap((p) => [Buffer.isBuffer(p) ? p : Buffer.from(p, 'utf8'), Buffer.from('\n')]));
  // The last line has no trailing newline: a reader must still see it.
  writeFileSync(paths.events, Buffer.concat([bytes, Buffer.from(line('2026-11-22T10:00:07.000Z', 'token', { conn: 'work', at_fp: 'bbbbbbbbbbbb', generation: 2 }))]));

  for (const since of [null, new Date('2026-11-22T09:00:00.000Z')]) {
    it(`keeps the events, counts the rest as skipped (since ${since?.toISOString() ?? 'all'})`, async () => {
      const read = await readEvents(paths, { since, until });
      assert.deepEqual(
        read.events.map((e) => [e.line, e.event.event]),
        [[1, 'token'], [4, 'request'], [6, 'request'], [11, 'refresh'], [14, 'token']],
      );
      assert.equal(read.linesSkipped, 8, 'malformed, 10 MB, garbage, unknown kind, array, bad ts, wrong type, missing field');
      assert.deepEqual(read.skipReasons, {
        'not JSON': 2,
        'longer than 1 MiB': 1,
        'unknown event kind': 1,
        'not a JSON object': 1,
        'no ISO ts': 1,
        'refresh: error has the wrong type': 1,
        'request: target is missing': 1,
      });
      assert.equal(read.linesRead, 14, 'every line, the blank one too');
      assert.deepEqual(read.files, ['events.jsonl']);
      const invalidUtf8 = read.events[1]?.event as unknown as { path: string };
      assert.equal(invalidUtf8.path, '/r/\ufffd\ufffd\ufffdx', 'invalid bytes become U+FFFD, the event is kept');
      const escaped = read.events[2]?.event as unknown as { path: string };
      assert.equal(escaped.path, '/x\u001b[2J\u001b]0;pwned\u0007', 'the reader keeps data; formatters strip');
    });
  }

  it('skips a line just over the cap and keeps one just under it', async () => {
    const p = logHome();
    const prefix = '{"ts":"2026-11-22T10:00:00.000Z","event":"request","method":"GET","target":"t","status":200,"path":"';
    const fits = `${prefix}${'b'.repeat(maxLineBytes - prefix.length - 2)}"}`;
    const tooLong = `${prefix}${'b'.repeat(maxLineBytes - prefix.length - 1)}"}`;
    assert.equal(Buffer.byteLength(fits), maxLineBytes);
    writeFileSync(p.events, `${fits}\n${tooLong}\n${line('2026-11-22T10:00:01.000Z', 'token', { at_fp: 'cccccccccccc', generation: 3 })}\n`);
    const read = await readEvents(p, { since: null, until });
    assert.deepEqual(read.events.map((e) => e.line), [1, 3]);
    assert.equal(read.linesSkipped, 1);
  });

  it('filters by connection and by raw text before parsing', async () => {
    const byConn = await readEvents(paths, { since: null, until, conn: 'work' });
    assert.deepEqual(byConn.events.map((e) => e.line), [1, 4, 6, 14]);
    const byText = await readEvents(paths, { since: null, until, match: '"status":401' });
    assert.deepEqual(byText.events.map((e) => e.line), [6]);
  });

  it('gives an empty read when the home has no log yet', async () => {
    const read = await readEvents(homePaths(tempHome('broker-reader-empty-')), { since: null, until });
    assert.deepEqual(read, { events: [], linesRead: 0, linesSkipped: 0, skipReasons: {}, files: [] });
  });
});

describe('readEvents seeks by time across rotated files', () => {
  // A log the way the writer leaves it: events.3 (oldest) … events.1, then events.jsonl; ts grows
  // with the offset except for a few ms of jitter between concurrent writers; multi-byte text so
  // characters straddle chunk boundaries.
  const paths = logHome();
  const start = Date.parse('2026-10-23T12:00:00.000Z');
  const totalLines = 40_000;
  const stepMs = (until.getTime() - start) / totalLines;
  const conns = ['github-work', 'google-drive', 'slack-bot'];
  const files = [rotatedLogPath(paths.events, 3), rotatedLogPath(paths.events, 2), rotatedLogPath(paths.events, 1), paths.events];
  const perFile = totalLines / files.length;
  let n = 0;
  for (const file of files) {
    const lines: string[] = [];
    for (let i = 0; i < perFile; i++, n++) {
      const jitter = n % 7 === 3 ? -4 : 0;
      const ts = new Date(Math.round(start + n * stepMs) + jitter).toISOString();
      if (n % 997 === 5) lines.push('{"ts":"broken');
      const fields = n % 10 === 0 ? { conn: conns[n % 3], trigger: 'proactive', outcome: 'ok', status: 200 } : { conn: conns[n % 3], method: 'GET', target: 'api.example', path: `/repos/acmé/→/${n}`, status: n % 50 === 0 ? 401 : 200 };
      lines.push(line(ts, n % 10 === 0 ? 'refresh' : 'request', { ...fields, pid: 4000 + (n % 13), host: 'build-7' }));
    }
    writeFileSync(file, `${lines.join('\n')}\n`);
  }

  const sinces = ['2026-10-20T00:00:00.000Z', '2026-10-23T12:00:00.000Z', '2026-10-30T07:13:22.123Z', '2026-11-05T23:59:59.999Z', '2026-11-15T00:00:00.004Z', '2026-11-21T12:00:00.000Z', '2026-11-22T11:59:00.000Z', '2026-11-22T13:00:00.000Z'];

  for (const since of sinces) {
    it(`gives exactly the full scan's events from ${since}`, async () => {
      const full = await readEvents(paths, { since: null, until });
      const expected = full.events.filter((e) => Date.parse(e.event.ts) >= Date.parse(since));
      const seek = await readEvents(paths, { since: new Date(since), until });
      assert.equal(seek.events.length, expected.length);
      assert.deepEqual(seek.events, expected);
    });
  }

  it('reads every file oldest first on a full scan, with line numbers per file', async () => {
    const full = await readEvents(paths, { since: null, until });
    assert.deepEqual(full.files, ['events.3.jsonl', 'events.2.jsonl', 'events.1.jsonl', 'events.jsonl']);
    assert.equal(full.events.length, totalLines);
    const skipped = Math.ceil((totalLines - 5) / 997);
    assert.equal(full.linesSkipped, skipped);
    const last = full.events.at(-1);
    assert.equal(last?.file, 'events.jsonl');
    assert.equal(last?.event.event === 'request' && last.event.path, `/repos/acmé/→/${totalLines - 1}`);
  });

  it('does not read from the top: recent windows skip old files and most of the live one', async () => {
    const recent = await readEvents(paths, { since: new Date('2026-11-22T06:00:00.000Z'), until });
    assert.deepEqual(recent.files, ['events.jsonl']);
    assert.ok(recent.linesRead < 2_000, `read ${recent.linesRead} lines for a 6-hour window`);
    assert.ok(recent.events.length > 300);
  });

  it('cites the same file and line as the file itself holds', async () => {
    const recent = await readEvents(paths, { since: new Date('2026-11-10T00:00:00.000Z'), until, conn: 'slack-bot' });
    const { readFileSync } = await import('node:fs');
    for (const logged of [recent.events[0], recent.events.at(-1)]) {
      assert.ok(logged);
      const text = readFileSync(`${paths.logs}/${logged.file}`, 'utf8').split('\n')[logged.line - 1];
      assert.deepEqual(JSON.parse(text ?? ''), logged.event);
    }
  });

  it('filters by connection the same way with and without a seek', async () => {
    const since = new Date('2026-11-01T00:00:00.000Z');
    const seek = await readEvents(paths, { since, until, conn: 'google-drive' });
    const full = await readEvents(paths, { since: null, until });
    const expected = full.events.filter((e) => e.event.conn === 'google-drive' && Date.parse(e.event.ts) >= since.getTime());
    assert.deepEqual(seek.events, expected);
  });

  it('streams the same events, line numbers and counts as it collects', async () => {
    const query = { since: new Date('2026-11-12T08:00:00.000Z'), until, conn: 'github-work' };
    const collected = await readEvents(paths, query);
    const streamed: LoggedEvent[] = [];
    const summary = await streamEvents(paths, query, (logged) => streamed.push(logged));
    assert.ok(streamed.length > 1_000);
    assert.deepEqual(streamed, collected.events);
    assert.deepEqual(summary, { linesRead: collected.linesRead, linesSkipped: collected.linesSkipped, skipReasons: collected.skipReasons, files: collected.files });
  });

  it('reports progress as it goes: bytes up to the total, lines up to those read', async () => {
    const reports: Array<[number, number, number]> = [];
    const summary = await streamEvents(paths, { since: null, until }, () => undefined, { onProgress: (read, total, lines) => reports.push([read, total, lines]) });
    assert.ok(reports.length > 1, `progress more than once (${reports.length})`);
    for (let i = 1; i < reports.length; i++) {
      assert.ok(reports[i]![0] >= reports[i - 1]![0] && reports[i]![2] >= reports[i - 1]![2], 'never goes back');
    }
    const [read, total, lines] = reports.at(-1)!;
    assert.ok(read <= total && lines <= summary.linesRead && lines > 0);
  });

  it('stops at until', async () => {
    const earlier = new Date('2026-11-01T00:00:00.000Z');
    const read = await readEvents(paths, { since: null, until: earlier });
    assert.ok(read.events.length > 0);
    assert.ok(read.events.every((e) => Date.parse(e.event.ts) <= earlier.getTime()));
  });
});
