import { accessSync, constants, statSync, utimesSync } from 'node:fs';
import { dirname } from 'node:path';
import { BrokerError } from '../core/broker-error.js';
import { exitCodes } from '../core/exit-codes.js';
import { homeWriteError } from './home.js';

// Every lock in the home (refresh locks, the state and secrets locks) is a proper-lockfile
// directory: mkdir is atomic, a live holder touches it every 5 s, and one untouched for 10 s
// belongs to a dead process and is taken over. The holder also names itself inside it
// (lock-holder.ts), so a holder that died on this machine is taken over from at once.

export const lockStaleMs = 10_000;
// A live holder on this machine stamps the lock with this machine's clock; further ahead than
// this, the stamp came from a clock that was wrong and has since been corrected.
const futureToleranceMs = 2_000;

export interface LockDirOptions {
  retries: { retries: number; factor?: number; minTimeout: number; maxTimeout: number; maxRetryTime?: number };
  onCompromised?: (err: Error) => void;
  /** For the message when another process keeps holding it: "the refresh lock of \"x\" for over 12 s". */
  what: string;
  hint?: string;
}

/**
 * proper-lockfile calls a lock stale only when its mtime is old, so one dated in the future would
 * block every process until the clock catches up (every refresh failing after 12 s). Such a lock is
 * dated back to 1970 first, which makes the usual stale takeover apply.
 */
export function rewindFutureLock(lockPath: string, now = Date.now()): boolean {
  const stat = statSync(lockPath, { throwIfNoEntry: false });
  if (!stat || stat.mtimeMs <= now + futureToleranceMs) return false;
  try {
    utimesSync(lockPath, new Date(0), new Date(0));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw homeWriteError(err, `take over the lock ${lockPath}`);
  }
  return true;
}

/** Takes the lock directory at lockPath, waiting as options.retries says; resolves to its release. */
export async function takeLockDir(lockPath: string, options: LockDirOptions): Promise<() => Promise<void>> {
  // proper-lockfile retries every failed mkdir until its time is up: a folder that cannot be
  // written to (a read-only home) would cost the whole wait before saying so.
  try {
    accessSync(dirname(lockPath), constants.W_OK);
  } catch (err) {
    throw homeWriteError(err, `take the lock ${lockPath}`);
  }
  rewindFutureLock(lockPath);
  // Loaded here, not at start-up: proper-lockfile brings graceful-fs, which patches fs as it loads,
  // and a cached `broker token` takes no lock at all.
  const [{ default: lockfile }, { lockFs, recordHolder, takeOverFromDeadHolder }] = await Promise.all([import('proper-lockfile'), import('./lock-holder.js')]);
  const { retries, factor = 2, minTimeout, maxTimeout, maxRetryTime = Infinity } = options.retries;
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      // One attempt at a time: between attempts this process looks at who holds the lock.
      const release = await lockfile.lock(lockPath, {
        lockfilePath: lockPath,
        realpath: false,
        stale: lockStaleMs,
        retries: 0,
        fs: lockFs,
        ...(options.onCompromised ? { onCompromised: options.onCompromised } : {}),
      });
      try {
        recordHolder(lockPath);
      } catch (err) {
        await release();
        throw homeWriteError(err, `take the lock ${lockPath}`);
      }
      return release;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ELOCKED') throw homeWriteError(err, `take the lock ${lockPath}`);
    }
    if (takeOverFromDeadHolder(lockPath)) continue;
    if (attempt >= retries || Date.now() - started >= maxRetryTime) {
      throw new BrokerError(`another process has held ${options.what}`, exitCodes.failed, options.hint ?? `if no broker process is running, remove ${lockPath} (it is taken over at once when its holder has died on this machine, otherwise once ${lockStaleMs / 1000} s old)`);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(maxTimeout, minTimeout * factor ** attempt)));
  }
}
