import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempHome } from '../support/temp-home.js';
import { Terminal } from '../support/tmux-terminal.js';

// Status and doctor as one app, the bundled binary in a real 80×24 terminal: the grid, d on a
// connection opens its findings, s comes back to the grid, q quits. Each screen is the whole frame:
// nothing of the view before stays on it.

const size = { columns: 80, rows: 24 };

function sandboxHome(): string {
  const home = tempHome('broker-app-pty-');
  const sandbox = JSON.parse(readFileSync(new URL('../../fixtures/sandbox/state.json', import.meta.url), 'utf8'));
  writeFileSync(join(home, 'state.json'), JSON.stringify({ ...sandbox, homeId: randomBytes(8).toString('hex') }), { mode: 0o600 });
  return home;
}

function assertFits(screen: string): void {
  const lines = screen.replace(/\n$/, '').split('\n');
  assert.ok(lines.length <= size.rows, `${lines.length} lines`);
  for (const line of lines) assert.ok([...line].length <= size.columns, `wider than ${size.columns}: "${line}"`);
}

describe('broker status → d → the doctor → s → the grid, at 80×24', () => {
  it('opens the findings of the selected connection, comes back to the same row, and quits with q', async () => {
    const home = sandboxHome();
    const term = new Terminal(home, size);
    try {
      term.start(['status']);
      let screen = await term.waitForScreen((s) => s.includes('okta-agent') && s.includes('q quit'), 'the grid');
      assertFits(screen);
      assert.match(screen, /^broker status {2}token store: keychain/m);
      assert.match(screen, /^› graph-mail .*CRITICAL/m);
      assert.match(screen, /^ {2}NAME\s+/m, 'the column header');

      term.tmux('send-keys', 'Down');
      await term.waitForScreen((s) => /^› slack-alerts/m.test(s), 'slack-alerts selected');
      term.tmux('send-keys', 'd');
      screen = await term.waitForScreen((s) => s.includes('broker doctor') && /^slack-alerts: 1 active/m.test(s), "slack-alerts' findings");
      assertFits(screen);
      assert.match(screen, /^› ERROR\s+Access token expired slack-alerts · /m);
      assert.doesNotMatch(screen, /graph-mail|okta-agent|NAME\s+PROVIDER|broker status/, 'nothing of the grid stays on the screen');

      term.tmux('send-keys', 'Enter');
      screen = await term.waitForScreen((s) => /^ERROR Access token expired · slack-alerts \[access-expired\]/m.test(s) && s.includes('Actions'), 'its runbook');
      assertFits(screen);
      assert.doesNotMatch(screen, /\bNAME\b/);

      term.tmux('send-keys', 's');
      screen = await term.waitForScreen((s) => s.includes('broker status') && /^› slack-alerts/m.test(s), 'the grid again, the same row selected');
      assertFits(screen);
      assert.doesNotMatch(screen, /broker doctor|Access token expired|Actions/, 'nothing of the doctor stays on the screen');
      assert.match(screen, /^ {2}graph-mail /m);

      term.tmux('send-keys', 'q');
      assert.equal(await term.waitForExit(), 1, 'the grid is unhealthy: exit 1');
    } finally {
      term.kill();
    }
  });
});
