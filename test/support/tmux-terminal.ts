import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { brokerBin } from './run-broker.js';

// The bundled binary in a real pseudo-terminal (tmux): raw mode, keys, the screen as a person sees it, exit codes.

/** Ink treats CI=true as non-interactive, so the child's environment must not say CI. */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.CI;
  delete env.CONTINUOUS_INTEGRATION;
  delete env.TMUX;
  return env;
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export class Terminal {
  readonly socket = `broker-e2e-${process.pid}-${randomBytes(4).toString('hex')}`;
  readonly exitFile: string;

  constructor(
    private readonly home: string,
    private readonly size: { columns: number; rows: number } = { columns: 160, rows: 40 },
    /** More variables for what runs in the terminal (a file token store's BROKER_STORE and passphrase). */
    private readonly env: Record<string, string> = {},
  ) {
    this.exitFile = join(home, 'exit-code');
  }

  tmux(...args: string[]): string {
    const r = spawnSync('tmux', ['-L', this.socket, ...args], { env: childEnv(), encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tmux ${args[0]} failed: ${r.stderr}`);
    return r.stdout;
  }

  /** Runs the broker with these arguments; its exit code lands in exitFile. */
  start(args: string[]): void {
    this.run(`${shellQuote(process.execPath)} ${shellQuote(brokerBin)} ${args.join(' ')}; echo $? > ${shellQuote(this.exitFile)}`);
  }

  /** Runs any shell command line in the terminal, with this home and without CI. */
  run(commandLine: string): void {
    const extra = Object.entries(this.env).map(([name, value]) => `${name}=${shellQuote(value)} `).join('');
    this.tmux('new-session', '-d', '-x', String(this.size.columns), '-y', String(this.size.rows), `env -u CI -u CONTINUOUS_INTEGRATION BROKER_HOME=${shellQuote(this.home)} ${extra}${commandLine}`);
  }

  screen(): string {
    return this.tmux('capture-pane', '-p');
  }

  async waitForScreen(test: (screen: string) => boolean, what: string): Promise<string> {
    return poll(() => {
      const screen = this.screen();
      return test(screen) ? screen : undefined;
    }, () => `${what}; the screen:\n${this.screen()}`);
  }

  async waitForExit(): Promise<number> {
    const text = await poll(() => (existsSync(this.exitFile) && readFileSync(this.exitFile, 'utf8').endsWith('\n') ? readFileSync(this.exitFile, 'utf8') : undefined), () => 'the exit code');
    return Number(text.trim());
  }

  kill(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server'], { env: childEnv() });
  }
}

/** Polls until found, giving up after 10 s: a wait for content, not a fixed sleep. */
export async function poll<T>(find: () => T | undefined, what: () => string, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

