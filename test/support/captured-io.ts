import { PassThrough, Readable } from 'node:stream';
import type { Io } from '../../src/commands/deps.js';

/** In-memory stdin/stdout/stderr for running a command in-process; nothing is a TTY. */
export function capturedIo(input = ''): Io & { out(): string; err(): string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  stdout.on('data', (d: Buffer) => chunks.out.push(d));
  stderr.on('data', (d: Buffer) => chunks.err.push(d));
  return {
    stdin: Readable.from([input]),
    stdout,
    stderr,
    out: () => Buffer.concat(chunks.out).toString('utf8'),
    err: () => Buffer.concat(chunks.err).toString('utf8'),
  };
}
