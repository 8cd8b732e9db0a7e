import { main } from '../../src/main.js';
import { capturedIo } from './captured-io.js';
import type { BrokerRun } from './run-broker.js';

/**
 * Runs a command in-process through main(), as cli.ts does, with captured stdin/stdout/stderr
 * (none a TTY, so the mode is json or text): milliseconds instead of a process start-up.
 * The environment is exactly `env`, nothing of this process's; `input` is stdin.
 */
export async function runMain(args: string[], env: Record<string, string | undefined>, input = ''): Promise<BrokerRun> {
  const io = capturedIo(input);
  const code = await main(args, io, env);
  // The streams are PassThroughs: let their 'data' events run before reading what was written.
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stdout: io.out(), stderr: io.err() };
}
