import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ServeRuntimeSchema, type ServeRuntime } from '../../core/serve-runtime.js';
import type { HomePaths } from '../home.js';

// $BROKER_HOME/serve.json (see core/serve-runtime.ts): written whole through a rename, so a reader
// never sees half a file, and a serve killed mid-write leaves the previous one.

export function serveRuntimePath(paths: HomePaths): string {
  return join(paths.root, 'serve.json');
}

export function writeServeRuntime(paths: HomePaths, runtime: ServeRuntime): void {
  const path = serveRuntimePath(paths);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(runtime, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

/** The runtime file, or null when there is none or it is not one (a foreign or damaged file is ignored, not trusted). */
export function readServeRuntime(paths: HomePaths): ServeRuntime | null {
  let text: string;
  try {
    text = readFileSync(serveRuntimePath(paths), 'utf8');
  } catch {
    return null;
  }
  try {
    const parsed = ServeRuntimeSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function removeServeRuntime(paths: HomePaths, pid: number): void {
  // Only our own: a second serve that took over the home keeps its file.
  if (readServeRuntime(paths)?.pid === pid) rmSync(serveRuntimePath(paths), { force: true });
}

/** Whether the serve named in the file still runs: same host, and its pid answers signal 0. */
export function serveIsAlive(runtime: ServeRuntime): boolean {
  if (runtime.host !== hostname()) return false;
  try {
    process.kill(runtime.pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
