// Where a command's start-up goes, from V8 CPU profiles (`node --cpu-prof`): each sample is put in
// the first of these parts that its stack passes through. The profile starts once Node has booted,
// so the part before it is measured as bare `node -e 0`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './report.js';

interface ProfileNode {
  id: number;
  callFrame: { url: string; functionName: string };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export const startUpParts = [
  'keychain (native module, D-Bus calls)',
  'loading modules (read, compile, evaluate: zod schemas too)',
  'the command itself (state read, parse, output)',
  'waiting (keychain round trip, file I/O)',
  'garbage collection',
] as const;
type StartUpPart = (typeof startUpParts)[number];

/** Pure: the milliseconds of one profile in each part. */
function splitProfile(profile: CpuProfile): Record<StartUpPart, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parentOf.set(child, n.id);
  const parts = Object.fromEntries(startUpParts.map((p) => [p, 0])) as Record<StartUpPart, number>;
  for (const [i, sample] of profile.samples.entries()) {
    const frames: ProfileNode['callFrame'][] = [];
    for (let id: number | undefined = sample; id !== undefined; id = parentOf.get(id)) {
      const node = byId.get(id);
      if (node) frames.push(node.callFrame);
    }
    parts[partOf(frames)] += (profile.timeDeltas[i] ?? 0) / 1000;
  }
  return parts;
}

function partOf(frames: ProfileNode['callFrame'][]): StartUpPart {
  const self = frames[0]?.functionName ?? '';
  if (self === '(garbage collector)') return 'garbage collection';
  if (self === '(idle)') return 'waiting (keychain round trip, file I/O)';
  if (frames.some((f) => f.url.includes('/@napi-rs/keyring'))) return 'keychain (native module, D-Bus calls)';
  if (frames.some((f) => /^node:internal\/modules\/(esm|cjs|run_main)/.test(f.url))) return 'loading modules (read, compile, evaluate: zod schemas too)';
  return 'the command itself (state read, parse, output)';
}

/** The median of each part over `runs` profiled runs of `node ARGS`. */
export function whereStartUpGoes(args: string[], env: NodeJS.ProcessEnv, runs: number): Record<StartUpPart, number> {
  const dir = mkdtempSync(join(tmpdir(), 'broker-bench-profile-'));
  try {
    for (let i = 0; i < runs; i++) {
      const run = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=100', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      if (run.status !== 0 && run.status !== 1) throw new Error(`${args.join(' ')} exited ${run.status}: ${run.stderr}`);
    }
    const splits = readdirSync(dir).map((f) => splitProfile(JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile));
    return Object.fromEntries(startUpParts.map((p) => [p, median(splits.map((s) => s[p]))])) as Record<StartUpPart, number>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
