import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { waitForFrame } from '../support/wait-for-frame.js';
import { diagnoseEvents } from '../../src/core/diagnose.js';
import type { StatusSnapshot } from '../../src/core/health-rows.js';
import { StateSchema } from '../../src/core/state-schema.js';

// Ink renders only the final frame when it believes it runs in CI, and reads that once, at import.
delete process.env.CI;
delete process.env.CONTINUOUS_INTEGRATION;
const { render } = await import('ink-testing-library');
const { StatusScreen } = await import('../../src/ui/screens/StatusScreen.js');

// The sandbox fixture, seen at the moment its timestamps were written.
const recordedAt = Date.parse('2026-11-22T03:00:00.000Z');
const sandbox = StateSchema.parse(JSON.parse(readFileSync(new URL('../../fixtures/sandbox/state.json', import.meta.url), 'utf8')));
const store = { backend: 'keychain', reason: 'default: the OS keychain', available: true } as const;
// The findings the rules make of the sandbox's state alone (no log): its failing connections each have one.
const snapshot: StatusSnapshot = {
  store,
  connections: Object.values(sandbox.connections),
  findings: diagnoseEvents({ connections: Object.values(sandbox.connections), now: new Date(recordedAt), env: {}, store }, []).findings,
};

const keys = { down: '\u001B[B', up: '\u001B[A', enter: '\r', escape: '\u001B' };

function mount(snap: StatusSnapshot, clock: () => Date) {
  const done: number[] = [];
  const app = render(<StatusScreen snapshot={snap} clock={clock} onDone={(code) => done.push(code)} tickMs={10} />);
  return { ...app, done };
}

describe('StatusScreen', () => {
  it('shows the store, one row per connection worst first, and the health of each', async () => {
    const app = mount(snapshot, () => new Date(recordedAt));
    try {
      const frame = await waitForFrame(app.lastFrame, (f) => f.includes('okta-agent'), 'the grid');
      assert.match(frame, /token store: keychain \(default: the OS keychain\)/);
      const lines = frame.split('\n');
      const order = Object.keys(sandbox.connections).map((name) => [name, lines.findIndex((l) => l.includes(name))] as const);
      for (const [name, at] of order) assert.ok(at >= 0, `${name} is not on screen`);
      const graph = lines.find((l) => l.includes('graph-mail')) ?? '';
      assert.match(graph, /invalid_client/);
      assert.match(graph, /CRITICAL/, 'the rotated secret in its lastError');
      assert.match(lines.find((l) => l.includes('drive-sync')) ?? '', /idle 171 days.*WARNING/, 'Google revokes after 6 months idle');
      // Worst first: both error rows come before every ok row.
      const at = Object.fromEntries(order);
      assert.ok(Math.max(at['graph-mail']!, at['slack-alerts']!) < Math.min(at['gh-ci-bot']!, at['okta-agent']!, at['drive-sync']!));
      assert.match(lines[at['graph-mail']!] ?? '', /^›/, 'the first row is selected');
    } finally {
      app.unmount();
    }
  });

  it('ticks: relative times follow the injected clock', async () => {
    let t = recordedAt;
    const app = mount(snapshot, () => new Date(t));
    try {
      await waitForFrame(app.lastFrame, (f) => /okta-agent.*expires in 12 min/.test(f), 'the okta expiry');
      t += 5 * 60_000;
      await waitForFrame(app.lastFrame, (f) => /okta-agent.*expires in 7 min/.test(f), 'the expiry to count down');
      t += 10 * 60_000;
      await waitForFrame(app.lastFrame, (f) => /okta-agent.*expired 3 min ago/.test(f), 'the token to expire');
    } finally {
      app.unmount();
    }
  });

  it('↓ then Enter opens the detail of the second row; Esc returns; q exits with the status exit code', async () => {
    const app = mount(snapshot, () => new Date(recordedAt));
    try {
      await waitForFrame(app.lastFrame, (f) => f.includes('okta-agent'), 'the grid');
      app.stdin.write(keys.down);
      await waitForFrame(app.lastFrame, (f) => /^› slack-alerts/m.test(f), 'the selection to move');
      app.stdin.write(keys.enter);
      const detail = await waitForFrame(app.lastFrame, (f) => f.includes('refresh token'), 'the detail view');
      assert.match(detail, /slack-alerts/);
      assert.match(detail, /fp 8e3b6f0a9d12/);
      assert.match(detail, /the access token expired and there is no refresh token: broker login slack-alerts/);
      assert.doesNotMatch(detail, /graph-mail/);
      app.stdin.write(keys.escape);
      await waitForFrame(app.lastFrame, (f) => f.includes('graph-mail') && f.includes('okta-agent'), 'the grid again');
      assert.deepEqual(app.done, []);
      app.stdin.write('q');
      await waitForFrame(() => String(app.done.length), (n) => n === '1', 'onDone');
      assert.deepEqual(app.done, [1]);
    } finally {
      app.unmount();
    }
  });

  it('the detail shows the findings for that connection, installation and acknowledgements', async () => {
    const findings = [
      { id: 'refresh-race', severity: 'critical' as const, conn: 'okta-agent', summary: 'two hosts refreshed the same token', evidence: [], actions: [], state: 'active' as const },
      { id: 'wrong-installation', severity: 'error' as const, conn: 'gh-app-deploy', summary: 'App token used against the wrong owner', evidence: [], actions: [], state: 'active' as const },
    ];
    const app = mount({ ...snapshot, findings }, () => new Date(recordedAt));
    try {
      // The critical finding puts okta-agent on top, selected.
      await waitForFrame(app.lastFrame, (f) => /^› okta-agent.*CRITICAL/m.test(f), 'okta-agent first');
      app.stdin.write(keys.enter);
      const okta = await waitForFrame(app.lastFrame, (f) => f.includes('Findings'), 'the detail');
      assert.match(okta, /critical refresh-race: two hosts refreshed the same token/);
      assert.match(okta, /new-destination by sam@laptop/);
      assert.match(okta, /https:\/\/acme\.okta\.example\/oauth2\/default/);
      assert.doesNotMatch(okta, /wrong-installation/);
      app.stdin.write(keys.escape);
      await waitForFrame(app.lastFrame, (f) => f.includes('↑/↓ select'), 'the grid');
      app.stdin.write('j');
      await waitForFrame(app.lastFrame, (f) => /^› gh-app-deploy/m.test(f), 'gh-app-deploy selected');
      app.stdin.write(keys.enter);
      const app2 = await waitForFrame(app.lastFrame, (f) => f.includes('Findings'), 'the detail');
      assert.match(app2, /48213377 \(acme\)/);
      assert.match(app2, /error wrong-installation: App token used against the wrong owner/);
    } finally {
      app.unmount();
    }
  });

  it('an empty home says how to make the first connection, and Ctrl+C exits 0 when all is well', async () => {
    const app = mount({ ...snapshot, connections: [], findings: [] }, () => new Date(recordedAt));
    try {
      await waitForFrame(app.lastFrame, (f) => f.includes('no connections yet — broker connect NAME --provider P --token-stdin'), 'the empty state');
      app.stdin.write('\u0003');
      await waitForFrame(() => String(app.done.length), (n) => n === '1', 'onDone');
      assert.deepEqual(app.done, [0]);
    } finally {
      app.unmount();
    }
  });

  it('an unavailable store is named in the header', async () => {
    const app = mount({ ...snapshot, store: { backend: 'keychain', reason: 'default: the OS keychain', available: false, problem: 'the OS keychain cannot write: locked' } }, () => new Date(recordedAt));
    try {
      await waitForFrame(app.lastFrame, (f) => f.includes('store unavailable: the OS keychain cannot write: locked'), 'the store problem');
    } finally {
      app.unmount();
    }
  });
});
