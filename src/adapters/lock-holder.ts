import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { existsSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

// Who holds a lock directory: `owner` inside it names the host and pid. A holder killed on this
// machine (SIGKILL, the OOM killer) is known dead at once, so its lock is taken over at once, not
// after the 10 s a silent lock needs to go stale. That matters most for the state and token-store
// locks: a refresh waits on them *after* the provider rotated its token, and a refresh that cannot
// store the new token within its life loses the connection (one killed writer cost 19 to 33 of 100
// connections in the crash bench before this).

const ownerFile = 'owner';

interface Holder {
  host: string;
  pid: number;
  /** The pid namespace (Linux): two containers with one hostname and a shared home see different processes under one pid. */
  pidSpace: string;
}

// Where a pid means this process: the host, and on Linux its pid namespace. (This module loads
// with the first lock a process takes: a cached `broker token` takes none.)
const pidSpace = ((): string => {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return '-';
  }
})();

/** Written by the process that just took the lock; throws when it cannot be (a lock without an owner is soon taken over). */
export function recordHolder(lockPath: string): void {
  writeFileSync(join(lockPath, ownerFile), `${hostname()} ${process.pid} ${pidSpace}\n`, { mode: 0o600 });
}

/**
 * proper-lockfile removes a lock with rmdir (on release, and when it takes over a stale lock); with
 * the owner file inside, the folder goes as a whole, in one synchronous step, so a holder killed
 * while releasing leaves no lock without an owner behind.
 */
export const lockFs = {
  ...fs,
  rmdir: (path: string, callback: (err: NodeJS.ErrnoException | null) => void): void => {
    try {
      rmSync(path, { recursive: true });
      callback(null);
    } catch (err) {
      callback(err as NodeJS.ErrnoException);
    }
  },
  rmdirSync: (path: string): void => rmSync(path, { recursive: true }),
};

function readHolder(path: string): Holder | undefined {
  try {
    const [host, pid, space] = readFileSync(path, 'utf8').trim().split(' ');
    const n = Number(pid);
    return host && space && Number.isInteger(n) && n > 0 ? { host, pid: n, pidSpace: space } : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, as another user's process.
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

// A holder names itself within milliseconds of taking the lock: a lock that has had no owner for
// this long lost its holder between the two (the lock's mtime is set up to 1 s ahead when taken).
const ownerlessMs = 2_000;

const ownerlessTooLong = (lockPath: string): boolean => {
  const stat = statSync(lockPath, { throwIfNoEntry: false });
  return stat !== undefined && !existsSync(join(lockPath, ownerFile)) && Date.now() - stat.mtimeMs > ownerlessMs;
};

const deadHere = (holder: Holder | undefined): boolean =>
  holder !== undefined && holder.host === hostname() && holder.pidSpace === pidSpace && holder.pid !== process.pid && !isAlive(holder.pid);

/**
 * Removes the lock when its holder is known dead (a process of this machine that no longer
 * exists), or when it has had no owner for too long; true when it did, so the caller tries to take
 * it again. A lock that is merely old is proper-lockfile's to take over (stale after 10 s).
 * Several waiters may look at once: each first claims the owner file by renaming it, which only
 * one can do; a waiter that claimed a live holder's file puts it back.
 */
export function takeOverFromDeadHolder(lockPath: string): boolean {
  const owner = join(lockPath, ownerFile);
  const holder = readHolder(owner);
  if (holder === undefined) {
    if (!ownerlessTooLong(lockPath)) return false;
    rmSync(lockPath, { recursive: true, force: true });
    return true;
  }
  if (!deadHere(holder)) return false;
  const claimed = `${owner}.claimed-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(owner, claimed);
  } catch {
    return false; // claimed by another waiter, or released meanwhile
  }
  if (deadHere(readHolder(claimed))) {
    rmSync(lockPath, { recursive: true, force: true });
    return true;
  }
  try {
    renameSync(claimed, owner);
  } catch {
    unlinkSync(claimed);
  }
  return false;
}
