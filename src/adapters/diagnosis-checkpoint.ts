import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DiagnosisState } from '../core/diagnose.js';
import { decodeState, encodeState } from '../core/plain-state-codec.js';
import type { LogFile } from './event-log-reader.js';
import type { HomePaths } from './home.js';

// Rotated log files never change, so the doctor's fold state after reading them can be kept and a
// later `broker doctor --since all` reads only the live file. The checkpoint is keyed by everything
// the state depends on: the rotated files (device, inode, size, mtime), the connections' names and
// providers, the --conn filter and the code that folded them. A checkpoint that does not match in
// every part, or does not parse, is ignored, never trusted.

export interface Checkpoint {
  state: DiagnosisState;
  linesRead: number;
  linesSkipped: number;
  skipReasons: Record<string, number>;
}

interface Stored extends Checkpoint {
  key: string;
}

const fileName = 'doctor-checkpoint.json';

export function checkpointKey(parts: { rotated: readonly LogFile[]; connections: ReadonlyArray<{ name: string; provider: string }>; conn?: string; code: string }): string {
  const identity = {
    files: parts.rotated.map((f) => [f.name, f.dev, f.ino, f.size, f.mtimeMs]),
    connections: parts.connections.map((c) => [c.name, c.provider]),
    conn: parts.conn ?? null,
    code: parts.code,
  };
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex');
}

export function readCheckpoint(paths: HomePaths, key: string): Checkpoint | undefined {
  let stored: Stored;
  try {
    stored = decodeState(readFileSync(join(paths.cache, fileName), 'utf8')) as Stored;
  } catch {
    return undefined;
  }
  if (stored?.key !== key || typeof stored.linesRead !== 'number' || typeof stored.state !== 'object') return undefined;
  return { state: stored.state, linesRead: stored.linesRead, linesSkipped: stored.linesSkipped, skipReasons: stored.skipReasons ?? {} };
}

/** Best effort: a home that cannot take the file (read-only, full) only loses the speed-up. */
export function writeCheckpoint(paths: HomePaths, key: string, checkpoint: Checkpoint): void {
  try {
    mkdirSync(paths.cache, { recursive: true, mode: 0o700 });
    const target = join(paths.cache, fileName);
    const tmp = `${target}.${process.pid}.tmp`;
    writeFileSync(tmp, encodeState({ key, ...checkpoint }), { mode: 0o600 });
    renameSync(tmp, target);
  } catch {
    // The checkpoint is an optimisation; the diagnosis already has its answer.
  }
}
