import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createEventLogWriter } from '../../src/adapters/event-log-writer.js';
import { homePaths } from '../../src/adapters/home.js';
import { tempHome } from '../support/temp-home.js';

// The kept-open writer of a long-running process (serve): one write(2) per line, with the file looked
// at again every 100 ms. Another process's rotation or a removed file must never lose a line.

const request = (i: number, who: string) => ({ event: 'request' as const, conn: who, method: 'GET', target: 'api.example.test', path: `/items/${i}/${'x'.repeat(i % 200)}`, status: 200, duration_ms: i });

function linesOf(dir: string): Array<{ conn: string; duration_ms: number; path: string }> {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .flatMap((name) => readFileSync(join(dir, name), 'utf8').split('\n').slice(0, -1))
    .map((l) => JSON.parse(l) as { conn: string; duration_ms: number; path: string });
}

describe('event log writer kept open', () => {
  it('interleaved with a per-line writer, both rotating by size: every line whole, none lost', () => {
    const paths = homePaths(tempHome('broker-writer-open-'));
    mkdirSync(paths.logs, { recursive: true });
    const options = { maxBytes: 32 * 1024, keep: 500, context: {} };
    const kept = createEventLogWriter(paths.events, { ...options, keepOpen: true });
    const perLine = createEventLogWriter(paths.events, options);
    const count = 3_000;
    for (let i = 0; i < count; i++) {
      kept(request(i, 'kept'));
      perLine(request(i, 'per-line'));
    }
    const files = readdirSync(paths.logs).filter((n) => n.endsWith('.jsonl'));
    assert.ok(files.length > 5, `rotated into ${files.length} files`);
    const lines = linesOf(paths.logs);
    for (const who of ['kept', 'per-line']) {
      const mine = lines.filter((l) => l.conn === who);
      assert.deepEqual(mine.map((l) => l.duration_ms).sort((a, b) => a - b), Array.from({ length: count }, (_, i) => i), who);
      assert.ok(mine.every((l) => l.path === `/items/${l.duration_ms}/${'x'.repeat(l.duration_ms % 200)}`));
    }
  });

  it('a removed live file is created again once the writer looks (within 100 ms)', async () => {
    const paths = homePaths(tempHome('broker-writer-open-'));
    mkdirSync(paths.logs, { recursive: true });
    const kept = createEventLogWriter(paths.events, { maxBytes: 1024 * 1024, keep: 5, context: {}, keepOpen: true });
    kept(request(0, 'kept'));
    rmSync(paths.events);
    const deadline = Date.now() + 5_000;
    let i = 1;
    while (!existsSync(paths.events)) {
      assert.ok(Date.now() < deadline, 'the writer never came back to the path');
      kept(request(i++, 'kept'));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    kept(request(i, 'kept'));
    const after = linesOf(paths.logs).map((l) => l.duration_ms);
    assert.equal(after.at(-1), i, 'the last line is in the new live file');
  });
});
