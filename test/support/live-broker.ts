import { spawn } from 'node:child_process';
import { brokerBin, type BrokerRun } from './run-broker.js';

/** A running broker child whose output a test can wait on while it runs (a login waiting for its browser). */
export interface LiveBroker {
  /** Resolves with the first match of `pattern` in the stream's output so far or to come. */
  waitFor(pattern: RegExp, stream?: 'stdout' | 'stderr', timeoutMs?: number): Promise<RegExpMatchArray>;
  done: Promise<BrokerRun>;
}

export function startBroker(args: string[], options: { env?: Record<string, string | undefined>; input?: string } = {}): LiveBroker {
  const child = spawn(process.execPath, [brokerBin, ...args], { env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString('utf8')));
  child.stdin.end(options.input ?? '');
  let closed = false;
  child.on('close', () => (closed = true));
  const done = new Promise<BrokerRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, ...out }));
  });
  return {
    done,
    waitFor: (pattern, stream = 'stderr', timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const check = (): boolean => {
          const match = pattern.exec(out[stream]);
          if (match) {
            cleanup();
            resolve(match);
            return true;
          }
          if (closed) {
            cleanup();
            reject(new Error(`broker exited before ${pattern} appeared on ${stream}:\n${out.stderr}`));
            return true;
          }
          return false;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${pattern} did not appear on ${stream} within ${timeoutMs} ms:\n${out[stream]}`));
        }, timeoutMs);
        const onData = (): void => void check();
        const cleanup = (): void => {
          clearTimeout(timer);
          child[stream].off('data', onData);
          child.off('close', onData);
        };
        if (!check()) {
          child[stream].on('data', onData);
          child.on('close', onData);
        }
      }),
  };
}
