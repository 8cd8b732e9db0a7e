import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { brokerBin, runBroker } from '../support/run-broker.js';
import { tempHome } from '../support/temp-home.js';

// The bundled binary in a real pseudo-terminal (tmux): raw mode, keys, the screen as a person sees it, exit codes.

const canary = 'canary-pty-access-7d3e01';

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

class Terminal {
  readonly socket = `broker-status-e2e-${process.pid}-${randomBytes(4).toString('hex')}`;
  readonly exitFile: string;

  constructor(private readonly home: string) {
    this.exitFile = join(home, 'exit-code');
  }

  tmux(...args: string[]): string {
    const r = spawnSync('tmux', ['-L', this.socket, ...args], { env: childEnv(), encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tmux ${args[0]} failed: ${r.stderr}`);
    return r.stdout;
  }

  start(args: string[]): void {
    const command = `env -u CI -u CONTINUOUS_INTEGRATION BROKER_HOME=${shellQuote(this.home)} ${shellQuote(process.execPath)} ${shellQuote(brokerBin)} ${args.join(' ')}; echo $? > ${shellQuote(this.exitFile)}`;
    this.tmux('new-session', '-d', '-x', '160', '-y', '40', command);
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
async function poll<T>(find: () => T | undefined, what: () => string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The sandbox fixture under a fresh home id, plus a connection whose canary token sits in the real keychain. */
async function sandboxHome(): Promise<string> {
  const home = tempHome('broker-pty-');
  const sandbox = JSON.parse(readFileSync(new URL('../../fixtures/sandbox/state.json', import.meta.url), 'utf8'));
  writeFileSync(join(home, 'state.json'), JSON.stringify({ ...sandbox, homeId: randomBytes(8).toString('hex') }), { mode: 0o600 });
  const r = await runBroker(['connect', 'canary-conn', '--provider', 'github', '--token-stdin'], { env: { BROKER_HOME: home }, input: canary });
  assert.equal(r.code, 0, r.stderr);
  return home;
}

describe('broker status in a pseudo-terminal', () => {
  it('draws the grid, moves with ↓, opens the detail with Enter, goes back with Esc, quits with q (exit 1: unhealthy)', async () => {
    const home = await sandboxHome();
    const term = new Terminal(home);
    try {
      term.start(['status']);
      const grid = await term.waitForScreen((s) => s.includes('okta-agent') && s.includes('q quit'), 'the grid');
      assert.match(grid, /token store: keychain \(default: the OS keychain\)/);
      assert.match(grid, /^› graph-mail .*invalid_client \(401\).*ERROR/m);
      for (const name of ['slack-alerts', 'drive-sync', 'gh-app-deploy', 'gh-ci-bot', 'canary-conn']) assert.match(grid, new RegExp(`^  ${name} `, 'm'));

      term.tmux('send-keys', 'Down');
      await term.waitForScreen((s) => /^› slack-alerts/m.test(s), 'the selection to move');
      term.tmux('send-keys', 'Enter');
      const detail = await term.waitForScreen((s) => s.includes('Findings (last 24 h)'), 'the detail view');
      assert.match(detail, /^slack-alerts\s+ERROR/m);
      assert.match(detail, /access token\s+expired .* · fp 8e3b6f0a9d12/);
      assert.doesNotMatch(detail, /graph-mail/);

      term.tmux('send-keys', 'Escape');
      await term.waitForScreen((s) => s.includes('graph-mail') && /^› slack-alerts/m.test(s), 'the grid again, selection kept');
      assert.ok(!term.screen().includes(canary));
      term.tmux('send-keys', 'q');
      assert.equal(await term.waitForExit(), 1);
    } finally {
      term.kill();
    }
  });

  it('Ctrl+C quits with the same exit code as the piped status (0 when healthy)', async () => {
    const home = tempHome('broker-pty-');
    const r = await runBroker(['connect', 'only-one', '--provider', 'github', '--account', 'octocat', '--token-stdin'], { env: { BROKER_HOME: home }, input: canary });
    assert.equal(r.code, 0, r.stderr);
    const piped = await runBroker(['status'], { env: { BROKER_HOME: home } });
    const term = new Terminal(home);
    try {
      term.start(['status']);
      const screen = await term.waitForScreen((s) => s.includes('only-one'), 'the grid');
      assert.match(screen, /^› only-one\s+github\s+service\s+octocat .*OK/m);
      assert.ok(!screen.includes(canary));
      term.tmux('send-keys', 'C-c');
      assert.equal(await term.waitForExit(), piped.code);
      assert.equal(piped.code, 0);
    } finally {
      term.kill();
    }
  });
});
