import { join } from 'node:path';
import { usageError } from '../core/broker-error.js';
import { connectionNameRule, isConnectionName } from '../core/state-schema.js';
import { ensureHomeDirs, type HomePaths } from './home.js';
import { lockStaleMs, takeLockDir } from './lock-dir.js';

// The refresh lock of one connection: $BROKER_HOME/locks/NAME.lock (docs/design.md §3, §7).
// Wait up to 12 s for it; a lock not touched for 10 s belongs to a dead process and is taken over
// (proper-lockfile touches a held lock every 5 s, so a live holder never goes stale).

export const refreshLockWaitMs = 12_000;
export const refreshLockStaleMs = lockStaleMs;

/**
 * Test-only switch: BROKER_UNSAFE_NO_REFRESH_LOCK=1 skips the lock so the race it prevents can be
 * reproduced (test/e2e/token-concurrency.test.ts). Never set it anywhere else: with rotating refresh
 * tokens that revoke the grant on reuse, concurrent refreshes log the user out.
 */
export const unsafeNoLockEnv = 'BROKER_UNSAFE_NO_REFRESH_LOCK';

export interface HeldRefreshLock {
  /** How long this process waited for the lock. */
  waitedMs: number;
  /** Whether the lock was really taken (false only with the test-only switch). */
  locked: boolean;
  release(): Promise<void>;
}

/** The lock's path; the name becomes a file name, so anything but a connection name is refused here too. */
export function refreshLockPath(paths: HomePaths, conn: string): string {
  if (!isConnectionName(conn)) throw usageError(`"${conn}" is not a connection name`, `a connection name is ${connectionNameRule}`);
  return join(paths.locks, `${conn}.lock`);
}

export async function acquireRefreshLock(paths: HomePaths, conn: string, env: Readonly<Record<string, string | undefined>>): Promise<HeldRefreshLock> {
  const lockPath = refreshLockPath(paths, conn);
  if (env[unsafeNoLockEnv] === '1') return { waitedMs: 0, locked: false, release: async () => {} };
  ensureHomeDirs(paths);
  const started = Date.now();
  let compromised = false;
  const release = await takeLockDir(lockPath, {
    what: `the refresh lock of "${conn}" for over ${refreshLockWaitMs / 1000} s`,
    // Short, flat retries: a refresh holds the lock for about one token-endpoint round trip.
    retries: { retries: 10_000, factor: 1.2, minTimeout: 10, maxTimeout: 100, maxRetryTime: refreshLockWaitMs },
    // A compromised lock (another process took it over as stale) must not crash the process: the
    // refresh in flight finishes, and the re-read after invalid_grant tells a lost race apart.
    onCompromised: () => {
      compromised = true;
    },
  });
  return {
    waitedMs: Date.now() - started,
    locked: true,
    release: async () => {
      if (compromised) return;
      try {
        await release();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ERELEASED') throw err;
      }
    },
  };
}
