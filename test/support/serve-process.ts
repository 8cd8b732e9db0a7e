import { spawn } from 'node:child_process';
import { brokerBin } from './run-broker.js';

// The built binary's `broker serve` as a child process: started, waited on for its "listening" line
// (never a sleep), signalled, and killed when the test process exits if a test left it running.

export interface ServeProcess {
  /** http://127.0.0.1:PORT from the first stdout line. */
  url: string;
  pid: number;
  stdout(): string;
  stderr(): string;
  signal(signal: NodeJS.Signals): void;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startServe(env: Record<string, string | undefined>, args: string[] = ['--port', '0']): Promise<ServeProcess> {
  const child = spawn(process.execPath, [brokerBin, 'serve', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let running = true;
  void exited.then(() => (running = false));
  // Not node:test's after(): registered from a before() hook it would run right after that hook.
  const killLeftover = (): void => {
    if (running) child.kill('SIGKILL');
  };
  process.once('exit', killLeftover);
  void exited.then(() => process.off('exit', killLeftover));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no "listening on" line within 15 s:\n${out.stdout}${out.stderr}`)), 15_000);
    const check = (): void => {
      const match = /^listening on (\S+)\n/.exec(out.stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', check);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}) before listening:\n${out.stderr}`));
    });
  });
  return {
    url,
    pid: child.pid ?? 0,
    stdout: () => out.stdout,
    stderr: () => out.stderr,
    signal: (signal) => child.kill(signal),
    exited,
    stop: () => {
      if (running) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Asks until the answer is yes, up to 10 s: a wait for content, not a fixed sleep (poll() in tmux-terminal.ts is the synchronous kind). */
export async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
