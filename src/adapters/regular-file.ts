import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { BrokerError } from '../core/broker-error.js';
import { exitCodes, type ExitCode } from '../core/exit-codes.js';

// Files the broker reads on someone's word (a secret source named in state.json, an event log, a
// key file): `file:/dev/zero` must not fill memory, a FIFO must not hang the command, and
// `file:/proc/self/environ` must not send the broker's environment (BROKER_PASSPHRASE included) to a
// token endpoint. So: open without blocking, insist on a regular file, read at most a bound.

export interface RegularFileOptions {
  /** Names the file in errors: "the client secret file of \"c1\"". The path is always added. */
  what?: string;
  exitCode?: ExitCode;
  hint?: string;
}

export interface OpenRegularFile {
  fd: number;
  stats: Stats;
}

/**
 * Opens `path` for reading without blocking (O_NONBLOCK: opening a FIFO with no writer returns at
 * once) and checks with fstat, on the opened descriptor, that it is a regular file. The caller closes fd.
 */
export function openRegularFile(path: string, options: RegularFileOptions = {}): OpenRegularFile {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    throw refused(path, openProblem(err as NodeJS.ErrnoException), options);
  }
  let stats: Stats;
  try {
    stats = fstatSync(fd);
  } catch (err) {
    closeSync(fd);
    throw refused(path, `cannot be examined (${(err as NodeJS.ErrnoException).code ?? 'error'})`, options);
  }
  if (!stats.isFile()) {
    closeSync(fd);
    throw refused(path, `is not a regular file (it is ${kindOf(stats)})`, options);
  }
  return { fd, stats };
}

/**
 * The whole content of a regular file of at most `maxBytes`. A file whose content does not match the
 * size the kernel reports is refused too: /proc files report 0 bytes and hold more (/proc/self/environ),
 * /sys files report 4096 and hold less; a real secret file reports its size.
 */
export function readBoundedRegularFile(path: string, options: RegularFileOptions & { maxBytes: number }): Buffer {
  const { fd, stats } = openRegularFile(path, options);
  try {
    if (stats.size > options.maxBytes) throw refused(path, `is ${stats.size} bytes; at most ${options.maxBytes} are read`, options);
    // One byte more than reported, to notice a file that holds more than it says.
    const buffer = Buffer.alloc(stats.size + 1);
    let total = 0;
    for (;;) {
      const n = readSync(fd, buffer, total, buffer.length - total, null);
      if (n === 0) break;
      total += n;
      if (total === buffer.length) break;
    }
    if (total !== stats.size) {
      throw refused(path, `reports ${stats.size} bytes but holds ${total > stats.size ? 'more' : 'fewer'} (a /proc or /sys file, or one being rewritten): not read`, options);
    }
    return buffer.subarray(0, total);
  } catch (err) {
    if (err instanceof BrokerError) throw err;
    throw refused(path, `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, options);
  } finally {
    closeSync(fd);
  }
}

function refused(path: string, problem: string, options: RegularFileOptions): BrokerError {
  const subject = options.what ? `${options.what} (${path})` : path;
  return new BrokerError(`${subject} ${problem}`, options.exitCode ?? exitCodes.failed, options.hint);
}

function openProblem(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOENT':
      return 'does not exist';
    case 'EACCES':
    case 'EPERM':
      return 'cannot be read (permission denied)';
    case 'ENXIO':
      return 'is not a regular file (a socket or a device without a driver)';
    case 'ELOOP':
      return 'is a loop of symbolic links';
    case 'ENOTDIR':
      return 'is not a path to a file (a part of it is not a directory)';
    default:
      return `cannot be opened (${err.code ?? 'error'})`;
  }
}

function kindOf(stats: Stats): string {
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isSocket()) return 'a socket';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  return 'not a file';
}
