import { closeSync, constants, fstatSync, openSync, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { BrokerError } from '../core/broker-error.js';
import { exitCodes } from '../core/exit-codes.js';
import { homeWriteError } from './home.js';

// The event log's files are opened without blocking and used only when they are regular files:
// open(2) of a FIFO waits for the other end for ever (a reading command hung; `broker token`, in a
// synchronous open for append, could not even run its SIGTERM handler), and a device or a folder
// in the log's place is not a log.

function kindOf(stats: Stats): string {
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isDirectory()) return 'a folder';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

function notRegular(path: string, kind: string): BrokerError {
  return new BrokerError(`the event log ${path} is ${kind}, not a regular file`, exitCodes.usage, `move it aside (mv ${path} ${path}.bad); the broker starts a new log`);
}

/** For reading: a handle on a regular file, null when it is gone, or a BrokerError naming what is there instead. */
export async function openLogForReading(path: string): Promise<FileHandle | null> {
  let handle: FileHandle;
  try {
    // Loaded only by readers: the writer, on every `broker token`, has no use for fs/promises (and the readline it loads).
    const { open } = await import('node:fs/promises');
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const stats = await handle.stat();
  if (!stats.isFile()) {
    await handle.close();
    throw notRegular(path, kindOf(stats));
  }
  return handle;
}

/** For appending (created 0600 when missing): a descriptor on a regular file, or a BrokerError. */
export function openLogForAppend(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NONBLOCK, 0o600);
  } catch (err) {
    // A FIFO nobody reads: O_NONBLOCK makes open fail with ENXIO instead of waiting.
    if ((err as NodeJS.ErrnoException).code === 'ENXIO') throw notRegular(path, 'a FIFO');
    throw homeWriteError(err, `append to ${path}`);
  }
  const stats = fstatSync(fd);
  if (!stats.isFile()) {
    closeSync(fd);
    throw notRegular(path, kindOf(stats));
  }
  return fd;
}
