import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readEvents, streamEvents } from '../../src/adapters/event-log-reader.js';
import { homePaths, type HomePaths } from '../../src/adapters/home.js';
import type { LoggedEvent } from '../../src/core/events.js';
import { rotatedLogPath } from '../../src/core/log-files.js';
import { tempHome } from '../support/temp-home.js';

// Issue 11 item 14: the reader seeks by binary search assuming time order, and skipped a rotated
// file by its last line; a log written out of order (a clock stepped back, files merged) made the
// 24 h window see 5 of 24,787 events.

const until = new Date('2026-11-22T12:00:00.000Z');
const since = new Date(until.getTime() - 24 * 3600_000);
const minute = 60_000;

/** Lines the way the writer writes them: ts first, then the event. */
function lines(fromMs: number, count: number, stepMs: number, tag: string): string[] {
  return Array.from({ length: count }, (_, i) => JSON.stringify({ ts: new Date(fromMs + i * stepMs).toISOString(), event: 'request', conn: 'gh', method: 'GET', target: 'api.example', path: `/${tag}/${i}`, status: 200, pid: 7, host: 'h' }));
}

function logHome(files: Record<string, string[]>): HomePaths {
  const paths = homePaths(tempHome('broker-order-'));
  mkdirSync(paths.logs, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(paths.logs, name), `${content.join('\n')}\n`);
  return paths;
}

/** What a window must hold: every event of the full scan stamped inside it, in file order. */
async function expectedWindow(paths: HomePaths): Promise<LoggedEvent[]> {
  const full = await readEvents(paths, { since: null, until });
  return full.events.filter((e) => Date.parse(e.event.ts) >= since.getTime());
}

async function assertWindowComplete(paths: HomePaths, atLeast: number): Promise<void> {
  const expected = await expectedWindow(paths);
  assert.ok(expected.length >= atLeast, `the fixture has ${expected.length} events in the window`);
  const collected = await readEvents(paths, { since, until });
  assert.equal(collected.events.length, expected.length, 'events of the window were skipped');
  assert.deepEqual(collected.events, expected);
  const streamed: LoggedEvent[] = [];
  await streamEvents(paths, { since, until }, (e) => streamed.push(e));
  assert.deepEqual(streamed, expected);
}

const recentStart = until.getTime() - 20 * 3600_000;
const old = until.getTime() - 5 * 24 * 3600_000;

describe('a log out of time order', () => {
  it('a clock stepped back two days after a day of events: the window still holds the day', async () => {
    const paths = logHome({ 'events.jsonl': [...lines(old - 3600_000, 20_000, 10, 'before'), ...lines(recentStart, 24_000, 3_000, 'recent'), ...lines(until.getTime() - 2 * 24 * 3600_000, 30_000, 10, 'stepped-back')] });
    await assertWindowComplete(paths, 24_000);
  });

  it('two logs merged new-then-old', async () => {
    const paths = logHome({ 'events.jsonl': [...lines(recentStart, 24_787, 2_900, 'new'), ...lines(old, 40_000, 5_000, 'old')] });
    await assertWindowComplete(paths, 24_787);
  });

  it('a stretch stamped by a clock that ran ahead, then corrected, inside an older log', async () => {
    const paths = logHome({ 'events.jsonl': [...lines(old, 30_000, 5, 'a'), ...lines(until.getTime() - minute * 90, 500, 1_000, 'ahead'), ...lines(old + 200_000, 30_000, 5, 'b')] });
    await assertWindowComplete(paths, 500);
  });

  it('a rotated file whose last line is old but whose middle is recent is read, not skipped', async () => {
    const paths = logHome({
      'events.2.jsonl': lines(old - 3600_000, 20_000, 10, 'older'),
      'events.1.jsonl': [...lines(old, 10_000, 10, 'r1'), ...lines(recentStart, 3_000, 10_000, 'recent-in-rotated'), ...lines(old + 500_000, 10_000, 10, 'r1b')],
      'events.jsonl': lines(old + 900_000, 5_000, 10, 'live-old'),
    });
    await assertWindowComplete(paths, 3_000);
  });

  it('other writers\' lines (ts not first) are looked at too', async () => {
    const foreign = (fromMs: number, count: number) => Array.from({ length: count }, (_, i) => JSON.stringify({ event: 'token', conn: 'gh', at_fp: 'abc', generation: 1, ts: new Date(fromMs + i * 1000).toISOString() }));
    const paths = logHome({ 'events.jsonl': [...lines(old, 20_000, 10, 'a'), ...foreign(recentStart, 300), ...lines(old + 300_000, 20_000, 10, 'b')] });
    await assertWindowComplete(paths, 300);
  });
});

describe('the latest time of each rotated file, kept in logs/.rotated-index.json', () => {
  it('is computed once, used while the file is unchanged, and ignored once it changes', async () => {
    const paths = logHome({
      'events.1.jsonl': lines(old, 20_000, 10, 'rotated'),
      'events.jsonl': lines(recentStart, 2_000, 10_000, 'live'),
    });
    const first = await readEvents(paths, { since, until });
    assert.deepEqual(first.files, ['events.jsonl'], 'the old rotated file is skipped');
    assert.ok(existsSync(join(paths.logs, '.rotated-index.json')));
    const again = await readEvents(paths, { since, until });
    assert.deepEqual(again.events, first.events);
    // A writer that opened the file before it was rotated appends one more line to it: the
    // entry no longer matches the file, so it is read.
    appendFileSync(rotatedLogPath(paths.events, 1), `${lines(until.getTime() - minute, 1, 1, 'straggler')[0]}\n`);
    const after = await readEvents(paths, { since, until });
    assert.deepEqual(after.files, ['events.1.jsonl', 'events.jsonl']);
    assert.equal(after.events.length, first.events.length + 1);
    assert.deepEqual(after.events, await expectedWindow(paths));
  });

  it('a damaged index is ignored', async () => {
    const paths = logHome({ 'events.1.jsonl': [...lines(old, 1_000, 10, 'x'), ...lines(recentStart, 10, 1_000, 'recent')], 'events.jsonl': lines(old + 100_000, 100, 10, 'y') });
    writeFileSync(join(paths.logs, '.rotated-index.json'), '{"version":1,"files":{"0:0:0:0":');
    await assertWindowComplete(paths, 10);
  });
});

describe('an ordered log', () => {
  it('is still read from the seek point: a 6-hour window of a 60,000-line log reads a few thousand lines', async () => {
    const paths = logHome({ 'events.jsonl': lines(until.getTime() - 60_000 * 60_000, 60_000, 60_000, 'ordered') });
    const recent = await readEvents(paths, { since: new Date(until.getTime() - 6 * 3600_000), until });
    assert.equal(recent.events.length, 360);
    assert.ok(recent.linesRead < 2_000, `read ${recent.linesRead} lines`);
    assert.equal(recent.events[0]?.line, 60_000 - 359, 'line numbers still count the lines before the seek point');
  });
});
