import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { homePaths } from '../../src/adapters/home.js';
import { tempHome } from '../support/temp-home.js';

const writerModule = fileURLToPath(new URL('../../src/adapters/event-log-writer.ts', import.meta.url));
const processes = 8;
const appendsEach = 1_000;

// Each child builds a real writer, says "ready", waits for "go" on stdin so all eight append at
// once, then appends its 1,000 events and exits.
const childSource = `
import { createEventLogWriter } from ${JSON.stringify(writerModule)};
const [path, maxBytes, keep, count] = process.argv.slice(1);
const append = createEventLogWriter(path, { maxBytes: Number(maxBytes), keep: Number(keep), context: { agent: 'bench' } });
process.stdout.write('ready\\n');
process.stdin.once('data', () => {
  for (let i = 0; i < Number(count); i++) {
    append({ event: 'request', conn: 'work', method: 'GET', target: 'api.example.test', path: '/items/' + i + '/' + 'x'.repeat(i % 300), status: 200, duration_ms: i });
  }
  process.exit(0);
});
`;

function startChild(path: string, maxBytes: number, keep: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', childSource, path, String(maxBytes), String(keep), String(appendsEach)], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.stdout?.once('data', () => resolve(child));
  });
}

async function appendConcurrently(path: string, maxBytes: number, keep: number): Promise<void> {
  const children = await Promise.all(Array.from({ length: processes }, () => startChild(path, maxBytes, keep)));
  const exits = children.map((child) => new Promise<number | null>((resolve) => child.on('exit', resolve)));
  for (const child of children) child.stdin?.write('go\n');
  assert.deepEqual(await Promise.all(exits), Array(processes).fill(0));
}

function linesOf(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .flatMap((name) => readFileSync(join(dir, name), 'utf8').split('\n').slice(0, -1));
}

function assertEveryLineWhole(lines: string[]): void {
  const perProcess = new Map<number, number[]>();
  for (const text of lines) {
    const record = JSON.parse(text) as { pid: number; duration_ms: number; path: string };
    assert.equal(record.path, `/items/${record.duration_ms}/${'x'.repeat(record.duration_ms % 300)}`);
    perProcess.set(record.pid, [...(perProcess.get(record.pid) ?? []), record.duration_ms]);
  }
  assert.equal(perProcess.size, processes);
  for (const seen of perProcess.values()) assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: appendsEach }, (_, i) => i));
}

describe('event log writer under concurrency', () => {
  it(`${processes} processes × ${appendsEach} concurrent appends → ${processes * appendsEach} whole JSON lines`, async () => {
    const paths = homePaths(tempHome('broker-writer-'));
    mkdirSync(paths.logs, { recursive: true });
    await appendConcurrently(paths.events, 1024 * 1024 * 1024, 5);
    const lines = readFileSync(paths.events, 'utf8').split('\n');
    assert.equal(lines.pop(), '', 'the file ends with a newline');
    assert.equal(lines.length, processes * appendsEach);
    assertEveryLineWhole(lines);
  });

  it('rotation by size keeps every line across the files', async () => {
    const paths = homePaths(tempHome('broker-writer-rotate-'));
    mkdirSync(paths.logs, { recursive: true });
    // ~2.6 MB in all over 256 KB files: about ten rotations, all racing; keep enough files for all of them.
    await appendConcurrently(paths.events, 256 * 1024, 100);
    const files = readdirSync(paths.logs).filter((name) => name.endsWith('.jsonl'));
    assert.ok(files.length > 5, `rotated into ${files.length} files`);
    const lines = linesOf(paths.logs);
    assert.equal(lines.length, processes * appendsEach);
    assertEveryLineWhole(lines);
  });
});
