import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BrokerError } from '../core/broker-error.js';
import { exitCodes } from '../core/exit-codes.js';

export interface HomePaths {
  root: string;
  state: string;
  logs: string;
  events: string;
  locks: string;
  secretsFile: string;
  /** Derived data that may be thrown away at any time (the doctor's checkpoint after the rotated logs). */
  cache: string;
  /** BROKER_STORE=postgres: events that could not reach the database yet, sent by the next process that can. */
  unsentEvents: string;
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
    unsentEvents: join(logs, 'events-unsent.jsonl'),
  };
}

/**
 * The home's own locks, beside the connections' refresh locks (locks/NAME.lock) but out of their
 * reach: a connection name cannot start with a dot, so `broker refresh state` never waits on the
 * state lock.
 */
export function internalLockPath(paths: HomePaths, what: 'state' | 'secrets'): string {
  return join(paths.locks, `.${what}.lock`);
}

/**
 * Creates the home's folders, 0700 each (mkdir's mode is masked by umask, so chmod after). Folders
 * that already are 0700 are left alone, so a read-only home still opens for reading; a home that
 * is a file, or cannot be created, is a one-line error.
 */
export function ensureHomeDirs(paths: HomePaths): void {
  for (const dir of [paths.root, paths.logs, paths.locks]) {
    const existing = statSync(dir, { throwIfNoEntry: false });
    const notAFolder = () => new BrokerError(`the broker home ${dir === paths.root ? '' : 'folder '}${dir} is not a folder`, exitCodes.usage, 'point BROKER_HOME (or --home) at a folder, or move the file aside');
    if (existing && !existing.isDirectory()) throw notAFolder();
    try {
      // Only the root's parents are made on the way: Node's recursive mkdir reports EROFS as ENOENT.
      // Another process opening the same fresh home may make the folder first (EEXIST): then it is there.
      if (!existing && !madeOrThere(dir, dir === paths.root)) throw notAFolder();
      if (!existing || (existing.mode & 0o777) !== 0o700) chmodSync(dir, 0o700);
    } catch (err) {
      // A read-only home: reading still works; every write names the home when it fails.
      if (existing && isReadOnlyError(err)) continue;
      throw homeWriteError(err, `create ${dir}`);
    }
  }
}

const readOnlyCodes = new Set(['EROFS', 'EACCES', 'EPERM']);
const writeFailureCodes = new Set([...readOnlyCodes, 'ENOSPC', 'EDQUOT', 'ENOTDIR', 'EEXIST', 'EISDIR', 'ENOENT', 'ELOOP']);

export function isReadOnlyError(err: unknown): boolean {
  return readOnlyCodes.has((err as NodeJS.ErrnoException).code ?? '');
}

/**
 * A failed write in the home as the person on call needs it: what could not be done and why, in
 * one line (not "unexpected error: EROFS …"). Anything that is not a file-system refusal is
 * returned unchanged.
 */
export function homeWriteError(err: unknown, what: string): unknown {
  if (err instanceof BrokerError) return err;
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (!writeFailureCodes.has(code)) return err;
  const why: Record<string, string> = {
    EROFS: 'the file system is read-only',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    ENOSPC: 'the disk is full',
    EDQUOT: 'the disk quota is used up',
    ENOTDIR: 'a part of the path is a file, not a folder',
    EEXIST: 'a file is in the way',
    EISDIR: 'a folder is in the way',
    ENOENT: 'a folder on the way is missing',
    ELOOP: 'too many symbolic links on the way',
  };
  return new BrokerError(`cannot ${what}: ${why[code]} (${code})`, exitCodes.failed, 'check the broker home: BROKER_HOME (or --home) must be a writable folder for this command');
}

/** mkdir, where a folder made by another process in the meantime counts as made; false when a file took its place. */
function madeOrThere(dir: string, recursive: boolean): boolean {
  try {
    mkdirSync(dir, { recursive, mode: 0o700 });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return statSync(dir).isDirectory();
  }
}
