import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { assertFits, keys, renderSized } from '../support/sized-render.js';
import { waitForFrame } from '../support/wait-for-frame.js';
import { conn } from '../support/facts.js';
import { diagnoseEvents } from '../../src/core/diagnose.js';
import { toDoctorReport } from '../../src/core/doctor-report.js';
import type { Finding } from '../../src/core/findings.js';
import type { StatusSnapshot } from '../../src/core/health-rows.js';
import { StateSchema, type Connection } from '../../src/core/state-schema.js';
import type { DoctorSource } from '../../src/ui/screens/DoctorScreen.js';

// Ink renders only the final frame when it believes it runs in CI, and reads that once, at import.
delete process.env.CI;
delete process.env.CONTINUOUS_INTEGRATION;
const { App } = await import('../../src/ui/screens/App.js');

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
const wide = { columns: 120, rows: 40 };
const small = { columns: 80, rows: 24 };

/** The doctor of a snapshot: its findings as a report, no runbooks, actions that only say so. */
function doctorOf(snap: StatusSnapshot): DoctorSource {
  return {
    scan: async () => toDoctorReport({ ...snap, since: null, until: new Date(recordedAt), linesRead: 0, linesSkipped: 0, skipReasons: {}, acknowledged: 0, ruleFailures: [] }),
    runbook: () => undefined,
    runAction: async () => ({ result: { ok: true, detail: 'done', held: true }, findingsAfter: [] }),
  };
}

async function mount(snap: StatusSnapshot, clock: () => Date, size = wide, load = async () => snap) {
  const done: number[] = [];
  const app = await renderSized(<App start="status" status={{ load, snapshot: snap }} doctor={doctorOf(snap)} clock={clock} onDone={(code) => done.push(code)} tickMs={10} />, size);
  return { ...app, done };
}

describe('the status view', () => {
  it('shows the store, one row per connection worst first, and the health of each', async () => {
    const app = await mount(snapshot, () => new Date(recordedAt));
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
    const app = await mount(snapshot, () => new Date(t));
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
    const app = await mount(snapshot, () => new Date(recordedAt));
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
    const findings: Finding[] = [
      { id: 'refresh-race', severity: 'critical', conn: 'okta-agent', summary: 'two hosts refreshed the same token', evidence: [], actions: [], state: 'active' },
      { id: 'wrong-installation', severity: 'error', conn: 'gh-app-deploy', summary: 'App token used against the wrong owner', evidence: [], actions: [], state: 'active' },
    ];
    const app = await mount({ ...snapshot, findings }, () => new Date(recordedAt));
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
      await waitForFrame(app.lastFrame, (f) => f.includes('↑/↓ move'), 'the grid');
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
    const app = await mount({ ...snapshot, connections: [], findings: [] }, () => new Date(recordedAt));
    try {
      await waitForFrame(app.lastFrame, (f) => f.includes('no connections yet — broker connect NAME --provider P --token-stdin'), 'the empty state');
      app.stdin.write(keys.ctrlC);
      await waitForFrame(() => String(app.done.length), (n) => n === '1', 'onDone');
      assert.deepEqual(app.done, [0]);
    } finally {
      app.unmount();
    }
  });

  it('an unavailable store is named in the header', async () => {
    const app = await mount({ ...snapshot, store: { backend: 'keychain', reason: 'default: the OS keychain', available: false, problem: 'the OS keychain cannot write: locked' } }, () => new Date(recordedAt));
    try {
      await waitForFrame(app.lastFrame, (f) => f.includes('store unavailable: the OS keychain cannot write: locked'), 'the store problem');
    } finally {
      app.unmount();
    }
  });
});

// 60 connections at 80×24: the grid scrolls under a header that stays.
const sixty: Connection[] = Array.from({ length: 60 }, (_, i) =>
  conn({ name: `conn-${String(i + 1).padStart(2, '0')}`, provider: 'github', account: `bot-${i + 1}`, accessTokenFp: 'aaaaaaaaaaaa', accessTokenExpiresAt: '2026-11-22T04:00:00.000Z' }),
);
const sixtySnapshot: StatusSnapshot = { store, connections: sixty, findings: [] };
const rowLine = (frame: string, name: string) => frame.split('\n').find((l) => l.includes(name));

describe('the status view at 80×24 with 60 connections', () => {
  it('moves past the bottom with the header still on top; PgDn and G reach the last row, g the first', async () => {
    const app = await mount(sixtySnapshot, () => new Date(recordedAt), small);
    try {
      let frame = await waitForFrame(app.lastFrame, (f) => /^› conn-01/m.test(f), 'the grid');
      assertFits(app.lastFrame()!, small);
      const header = (f: string) => f.split('\n').find((l) => /NAME\s+PROVIDER/.test(l));
      assert.ok(header(frame), 'the column header');
      assert.match(frame, /60 connections: 60 ok · 1–\d+ of 60/);
      const shown = frame.split('\n').filter((l) => /conn-\d\d/.test(l)).length;
      assert.ok(shown >= 12 && shown < 60, `${shown} rows on screen`);
      assert.equal(rowLine(frame, 'conn-60'), undefined, 'the last row is below the fold');

      for (let i = 0; i < shown; i++) app.stdin.write(keys.down);
      const past = `conn-${String(shown + 1).padStart(2, '0')}`;
      frame = await waitForFrame(app.lastFrame, (f) => new RegExp(`^› ${past}`, 'm').test(f), `the cursor on ${past}, past the first screen`);
      assert.ok(header(frame), 'the header stays');
      assert.equal(rowLine(frame, 'conn-01 '), undefined, 'the first row scrolled away');
      assertFits(app.lastFrame()!, small);

      app.stdin.write(keys.pageDown);
      app.stdin.write(keys.pageDown);
      app.stdin.write(keys.pageDown);
      frame = await waitForFrame(app.lastFrame, (f) => /^› conn-60/m.test(f), 'PgDn to reach the last row');
      assert.match(frame, /of 60/);
      assert.ok(header(frame));
      app.stdin.write('g');
      frame = await waitForFrame(app.lastFrame, (f) => /^› conn-01/m.test(f), 'g to the first row');
      app.stdin.write('G');
      frame = await waitForFrame(app.lastFrame, (f) => /^› conn-60/m.test(f), 'G to the last row');
      assert.ok(header(frame));
      assert.match(frame, /\? help · q quit/, 'the footer stays');
      assertFits(app.lastFrame()!, small);
    } finally {
      app.unmount();
    }
  });

  it('/ filters by name as it is typed; Enter keeps it, Esc clears it', async () => {
    const app = await mount(sixtySnapshot, () => new Date(recordedAt), small);
    try {
      await waitForFrame(app.lastFrame, (f) => /^› conn-01/m.test(f), 'the grid');
      app.stdin.write('/');
      for (const ch of 'conn-4') app.stdin.write(ch);
      let frame = await waitForFrame(app.lastFrame, (f) => /10 match/.test(f), 'the filter to narrow the rows');
      assert.match(frame, /^\/conn-4/m, 'the query is shown as typed');
      assert.match(frame, /^› conn-40/m, 'the selection moved onto what is shown');
      assert.equal(rowLine(frame, 'conn-04'), undefined);
      app.stdin.write(keys.enter);
      app.stdin.write(keys.down);
      frame = await waitForFrame(app.lastFrame, (f) => /^› conn-41/m.test(f), 'moving within the filtered rows');
      app.stdin.write(keys.escape);
      frame = await waitForFrame(app.lastFrame, (f) => /60 connections: 60 ok · \d+–\d+ of 60$/m.test(f) && !/match/.test(f), 'every row back');
      assert.match(frame, /^› conn-41/m, 'the selection kept');
      assertFits(app.lastFrame()!, small);
    } finally {
      app.unmount();
    }
  });

  it('? lists every key of the grid, Esc closes it', async () => {
    const app = await mount(sixtySnapshot, () => new Date(recordedAt), small);
    try {
      await waitForFrame(app.lastFrame, (f) => /^› conn-01/m.test(f), 'the grid');
      app.stdin.write('?');
      const help = await waitForFrame(app.lastFrame, (f) => f.includes('keys: the health grid'), 'the help');
      for (const key of ['↑/↓ j/k', 'PgUp/PgDn', 'g/G', 'Enter', 'd ', '/ ', 'R ', '? ', 'q ']) assert.ok(help.includes(key), `${key} in the help:\n${help}`);
      assert.match(help, /the doctor: the selected connection's findings/);
      assertFits(app.lastFrame()!, small);
      app.stdin.write(keys.escape);
      await waitForFrame(app.lastFrame, (f) => /^› conn-01/m.test(f) && !f.includes('keys:'), 'the grid again');
    } finally {
      app.unmount();
    }
  });

  it('follows a resize: fewer rows, the same header and cursor', async () => {
    const app = await mount(sixtySnapshot, () => new Date(recordedAt), small);
    try {
      await waitForFrame(app.lastFrame, (f) => /^› conn-01/m.test(f), 'the grid');
      app.stdin.write('G');
      await waitForFrame(app.lastFrame, (f) => /^› conn-60/m.test(f), 'the last row');
      app.resize(80, 12);
      const frame = await waitForFrame(app.lastFrame, (f) => f.split('\n').length <= 11, 'the frame to shrink');
      assert.match(frame, /^› conn-60/m);
      assert.match(frame, /NAME\s+PROVIDER/);
      assertFits(frame, { columns: 80, rows: 12 });
    } finally {
      app.unmount();
    }
  });
});
