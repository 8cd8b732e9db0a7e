// Shared by the benchmarks: time a command, read its peak RSS, print the figures as a table.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface Row {
  figure: string;
  value: string;
  target?: string;
  /** undefined: informational, no target. */
  pass?: boolean;
}

export function printTable(title: string, rows: Row[]): void {
  const header = { figure: 'figure', value: 'value', target: 'target', verdict: '' };
  const lines = [header, ...rows.map((r) => ({ figure: r.figure, value: r.value, target: r.target ?? '', verdict: r.pass === undefined ? '' : r.pass ? 'PASS' : 'MISS' }))];
  const width = (key: keyof typeof header): number => Math.max(...lines.map((l) => l[key].length));
  const [wf, wv, wt] = [width('figure'), width('value'), width('target')];
  process.stdout.write(`\n${title}\n`);
  for (const [i, l] of lines.entries()) {
    process.stdout.write(`  ${l.figure.padEnd(wf)}  ${l.value.padStart(wv)}  ${l.target.padEnd(wt)}  ${l.verdict}\n`);
    if (i === 0) process.stdout.write(`  ${'-'.repeat(wf)}  ${'-'.repeat(wv)}  ${'-'.repeat(wt)}  ----\n`);
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export interface CommandOptions {
  env?: Record<string, string | undefined>;
  runs: number;
}

/**
 * Median wall time of a command in ms; throws when it fails. stdout goes to a pipe, not /dev/null:
 * GNU grep notices /dev/null and stops at the first match, which would flatter it 100×.
 */
export function timeCommand(command: string, args: string[], options: CommandOptions): number {
  const times: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    const start = performance.now();
    const run = spawnSync(command, args, { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1024 * 1024 * 1024 });
    times.push(performance.now() - start);
    // grep -c exits 1 when it counts zero, which is still a measurement.
    if (run.status !== 0 && !(command === 'grep' && run.status === 1)) throw new Error(`${command} ${args.join(' ')} exited ${run.status}: ${run.stderr.toString().slice(0, 500)}`);
  }
  return median(times);
}

/** Peak resident set size of a command in MB, from /usr/bin/time -v (null when it is missing). */
export function peakRssMb(command: string, args: string[], env?: Record<string, string | undefined>): number | null {
  if (!existsSync('/usr/bin/time')) return null;
  const run = spawnSync('/usr/bin/time', ['-v', command, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1024 * 1024 * 1024 });
  const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr.toString())?.[1];
  return kb === undefined ? null : Number(kb) / 1024;
}

export function ms(value: number): string {
  return `${value.toFixed(0)} ms`;
}

/** One run under /usr/bin/time -v: wall time, peak RSS (null without /usr/bin/time) and exit code. */
export function measureOnce(command: string, args: string[], env?: Record<string, string | undefined>): { ms: number; rssMb: number | null; status: number | null } {
  const timed = existsSync('/usr/bin/time');
  const start = performance.now();
  const run = spawnSync(timed ? '/usr/bin/time' : command, timed ? ['-v', command, ...args] : args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1024 * 1024 * 1024 });
  const elapsed = performance.now() - start;
  const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr.toString())?.[1];
  return { ms: elapsed, rssMb: kb === undefined ? null : Number(kb) / 1024, status: run.status };
}
