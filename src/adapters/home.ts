import { mkdirSync, chmodSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface HomePaths {
  root: string;
  state: string;
  logs: string;
  events: string;
  locks: string;
  secretsFile: string;
  /** Derived data that may be thrown away at any time (the doctor's checkpoint after the rotated logs). */
  cache: string;
}

/** BROKER_HOME, or --home, or the platform config dir. */
export function resolveHome(env: Readonly<Record<string, string | undefined>>, flag?: string): string {
  if (flag) return flag;
  if (env.BROKER_HOME) return env.BROKER_HOME;
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'broker');
  if (process.platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'broker');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'broker');
}

export function homePaths(root: string): HomePaths {
  const logs = join(root, 'logs');
  return {
    root,
    state: join(root, 'state.json'),
    logs,
    events: join(logs, 'events.jsonl'),
    locks: join(root, 'locks'),
    secretsFile: join(root, 'secrets.enc'),
    cache: join(root, 'cache'),
  };
}

/** Creates the home's folders, 0700 each (mkdir's mode is masked by umask, so chmod after). */
export function ensureHomeDirs(paths: HomePaths): void {
  for (const dir of [paths.root, paths.logs, paths.locks]) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
  }
}
