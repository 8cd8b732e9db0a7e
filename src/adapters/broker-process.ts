import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { BrokerError } from '../core/broker-error.js';
import { exitCodes } from '../core/exit-codes.js';
import { packagePath } from './package-path.js';

// The broker's own bundle as another process: what two agents on one host are. The demo needs
// that for a refresh race, which the doctor tells by two different pids presenting one token.

const running = new Set<ChildProcess>();

export interface BrokerProcess {
  pid: number | undefined;
  /** Resolves with the exit code and what it said on stderr once the process has ended. */
  done: Promise<{ code: number | null; stderr: string }>;
}

/**
 * Starts `broker ARGS` (dist/broker.mjs under this Node) with exactly this environment. Its stdout
 * is not read: for `broker token` it is the access token, which has no business in this process.
 */
export function startBrokerProcess(args: string[], env: Readonly<Record<string, string | undefined>>): BrokerProcess {
  const bin = packagePath('dist/broker.mjs');
  if (!existsSync(bin)) throw new BrokerError(`${bin} is missing`, exitCodes.failed, 'build it first: npm run build');
  const child: ChildProcess = spawn(process.execPath, [bin, ...args], { env: { ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  const done = new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      running.delete(child);
      resolve({ code, stderr });
    });
  });
  return { pid: child.pid, done };
}

/** Kills every broker process started here that still runs (the demo interrupted mid-setup), so none writes into a removed home. */
export function killBrokerProcesses(): void {
  for (const child of running) child.kill('SIGKILL');
}
