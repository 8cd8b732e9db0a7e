import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const brokerBin = fileURLToPath(new URL('../../dist/broker.mjs', import.meta.url));

export interface BrokerRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Killed (SIGKILL) after options.timeoutMs: it hung. */
  timedOut?: boolean;
}

/** Runs the built binary as a child process (stdin piped, so never a TTY). */
export function runBroker(args: string[], options: { env?: Record<string, string | undefined>; input?: string; timeoutMs?: number } = {}): Promise<BrokerRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [brokerBin, ...args], { env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => ((timedOut = true), child.kill('SIGKILL')), options.timeoutMs);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ...(timedOut ? { timedOut } : {}) });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/**
 * runBroker with the child's clock started at `at` (libfaketime: `faketime -f @…`), for commands
 * that have no --now (status, log). The monotonic clock is left alone so timers still run.
 */
export function runBrokerAt(at: string, args: string[], options: { env?: Record<string, string | undefined>; input?: string } = {}): Promise<BrokerRun> {
  const start = `@${at.replace('T', ' ').replace(/(\.\d+)?Z$/, '')}`;
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ...options.env, TZ: 'UTC', FAKETIME_DONT_FAKE_MONOTONIC: '1' };
    const child = spawn('faketime', ['-f', start, process.execPath, brokerBin, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}
