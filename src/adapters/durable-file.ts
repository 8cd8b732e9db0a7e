import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, openSync, readdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

// Files that must survive a SIGKILL or a power cut whole: state.json and secrets.enc. A process
// killed at any instant leaves the old contents or the new ones, never a torn or empty file.

function tempPathFor(path: string): string {
  return `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Writes a new file (O_EXCL, so never through a planted symlink) and fsyncs it before anyone can see it. */
function writeTemp(path: string, data: string, mode: number): string {
  const temp = tempPathFor(path);
  const fd = openSync(temp, 'wx', mode);
  try {
    writeFileSync(fd, data);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw err;
  }
  closeSync(fd);
  return temp;
}

/** The rename (or link) is durable only once the folder's entry is on disk too. */
function fsyncDir(dir: string): void {
  // Windows cannot open a folder as a file; NTFS journals the rename itself.
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Replaces the file's contents at once and for good: temp file beside it, fsync, rename, fsync the folder. */
export function writeFileDurably(path: string, data: string, mode = 0o600): void {
  const temp = writeTemp(path, data, mode);
  try {
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
  fsyncDir(dirname(path));
}

/**
 * Creates the file with its contents unless it exists, atomically: link(2) of a complete temp file
 * fails with EEXIST when another process got there first, so concurrent creators agree on one
 * file and nobody ever sees it empty. True when this call created it.
 */
export function createFileOnce(path: string, data: string, mode = 0o600): boolean {
  for (let attempt = 0; attempt < 3; attempt++) {
    if (existsSync(path)) return false;
    const temp = writeTemp(path, data, mode);
    try {
      linkSync(temp, path);
      fsyncDir(dirname(path));
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      // ENOENT: a writer holding the file's lock swept our temp file away as a leftover, which it
      // only does once the file exists; look again.
      if (code !== 'ENOENT') throw err;
    } finally {
      rmSync(temp, { force: true });
    }
  }
  return false;
}

/**
 * Deletes the temp files that writers killed mid-write left beside the file (`NAME.tmp-…`, and the
 * older `NAME.PID.tmp` of earlier versions). Call it only while holding the lock every
 * writer of the file holds: then no temp file belongs to a write in progress.
 */
export function removeLeftoverTemps(path: string): number {
  const dir = dirname(path);
  const name = basename(path);
  let removed = 0;
  for (const entry of readdirSync(dir)) {
    if (!entry.startsWith(`${name}.`)) continue;
    const rest = entry.slice(name.length + 1);
    if (!/^tmp-|^\d+\.tmp$/.test(rest)) continue;
    try {
      unlinkSync(join(dir, entry));
      removed++;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return removed;
}
