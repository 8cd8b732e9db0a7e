import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runBroker } from '../support/run-broker.js';
import { Terminal } from '../support/tmux-terminal.js';
import { tempHome } from '../support/temp-home.js';

// The bundled binary in a real pseudo-terminal (tmux): raw mode, keys, the screen as a person sees it, exit codes.

const canary = 'canary-pty-access-7d3e01';

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
      assert.match(grid, /^› graph-mail .*invalid_client \(401\).*CRITICAL/m);
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
