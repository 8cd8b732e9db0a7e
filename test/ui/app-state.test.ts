import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding } from '../../src/core/findings.js';
import { appKeyEvent, appReducer, initialAppState, type AppEvent, type AppState } from '../../src/ui/app-state.js';
import { initialDoctorState, selectedFinding } from '../../src/ui/doctor-state.js';
import { helpEntries } from '../../src/ui/help-keys.js';
import { initialStatusState } from '../../src/ui/status-state.js';

const race: Finding = {
  id: 'refresh-race',
  severity: 'critical',
  conn: 'gh-work',
  summary: 'gh-work: 2 processes refreshed the same token',
  evidence: [],
  actions: [
    { key: 'r', action: 'refresh', label: 'Refresh under the lock' },
    { key: 'l', action: 'relogin', label: 'Log in again' },
  ],
  state: 'active',
};
const slow: Finding = { id: 'rate-limited', severity: 'info', conn: 'slack', summary: 'slack: rate limited', evidence: [], actions: [], state: 'active' };
const geometry = { page: 10, detailLines: 30 };
const run = (state: AppState, ...events: AppEvent[]) => events.reduce(appReducer, state);
const press = (state: AppState, input: string, key = {}) => appKeyEvent(state, input, key, geometry);

const grid: AppState = { ...initialAppState('status'), status: initialStatusState([{ name: 'gh-work', search: 'gh-work' }, { name: 'slack', search: 'slack' }]), doctor: initialDoctorState([race, slow]) };

describe('the app: two views, one state', () => {
  it('d on a grid row opens the doctor on that connection; s comes back to the same row', () => {
    const onSlack = run(grid, { type: 'status', action: { type: 'move', movement: 'down', page: 10 } });
    const d = press(onSlack, 'd');
    assert.deepEqual(d, { type: 'show-doctor', conn: 'slack' });
    const doctor = run(onSlack, d as AppEvent);
    assert.equal(doctor.view, 'doctor');
    assert.equal(doctor.doctor.conn, 'slack');
    assert.equal(selectedFinding(doctor.doctor), slow);
    const back = run(doctor, press(doctor, 's') as AppEvent);
    assert.deepEqual([back.view, back.status.selected], ['status', 'slack']);
    const all = run(doctor, press(doctor, 'd') as AppEvent);
    assert.equal(all.doctor.conn, null, 'd in the doctor shows every connection');
  });

  it('? opens the help, ? or Esc closes it, q quits from anywhere but the y/N and a running fix', () => {
    const help = run(grid, press(grid, '?') as AppEvent);
    assert.equal(help.help, true);
    assert.deepEqual(press(help, '', { escape: true }), { type: 'help', open: false });
    assert.deepEqual(press(help, '?'), { type: 'help', open: false });
    assert.deepEqual(press(help, 'q'), { type: 'quit' });
    assert.equal(press(help, 'd'), undefined, 'keys under the help do nothing');
    assert.deepEqual(press(grid, 'q'), { type: 'quit' });
  });

  it('the y/N and a running fix keep every key but their own; Ctrl+C always quits', () => {
    const doctor = run(grid, { type: 'show-doctor', conn: null });
    const confirm = run(doctor, press(doctor, 'r') as AppEvent);
    assert.equal(confirm.doctor.view.kind, 'confirm');
    for (const key of ['q', 's', 'd', 'R', '?', 'r']) assert.equal(press(confirm, key), undefined, key);
    assert.deepEqual(press(confirm, 'n'), { type: 'doctor', event: { type: 'answer', yes: false } });
    const running = run(confirm, press(confirm, 'y') as AppEvent);
    assert.equal(running.doctor.view.kind, 'running');
    assert.equal(press(running, 'q'), undefined);
    assert.deepEqual(press(running, 'c', { ctrl: true }), { type: 'quit' });
  });

  it('while a filter is typed, q, d, s and ? are text', () => {
    const typing = run(grid, press(grid, '/') as AppEvent);
    for (const key of ['q', 'd', 's', '?', 'R']) assert.deepEqual(press(typing, key), { type: 'status', action: { type: 'filter', event: { type: 'type', text: key } } });
    const doctor = run(grid, { type: 'show-doctor', conn: null });
    const doctorTyping = run(doctor, press(doctor, '/') as AppEvent);
    assert.deepEqual(press(doctorTyping, 's'), { type: 'doctor', event: { type: 'filter', event: { type: 'type', text: 's' } } });
  });

  it('R asks the App to read again: the log in the doctor, the state in the grid', () => {
    assert.deepEqual(press(grid, 'R'), { type: 'reload' });
    assert.deepEqual(press(run(grid, { type: 'show-doctor', conn: null }), 'R'), { type: 'rescan' });
  });
});

describe('the help lists every key of the view, and each key it lists does something', () => {
  const doctor = run(grid, { type: 'show-doctor', conn: null });
  const states: Array<[string, AppState]> = [
    ['the grid', grid],
    ['the grid, filtered', run(grid, { type: 'status', action: { type: 'filter', event: { type: 'start' } } }, { type: 'status', action: { type: 'filter', event: { type: 'type', text: 'gh' } } }, { type: 'status', action: { type: 'filter', event: { type: 'accept' } } })],
    ['typing the grid filter', run(grid, { type: 'status', action: { type: 'filter', event: { type: 'start' } } })],
    ['a connection', run(grid, { type: 'status', action: { type: 'open' } })],
    ['the findings', doctor],
    ['the findings, after a fix', run(doctor, { type: 'doctor', event: { type: 'key', key: 'r' } }, { type: 'doctor', event: { type: 'answer', yes: true } }, { type: 'doctor', event: { type: 'done', result: { ok: true, held: true, detail: 'ok' }, findingsAfter: [slow] } })],
    ['a finding', run(doctor, { type: 'doctor', event: { type: 'open' } })],
    ['the y/N', run(doctor, { type: 'doctor', event: { type: 'key', key: 'l' } })],
    ['a running fix', run(doctor, { type: 'doctor', event: { type: 'key', key: 'l' } }, { type: 'doctor', event: { type: 'answer', yes: true } })],
    ['typing the doctor filter', run(doctor, { type: 'doctor', event: { type: 'filter', event: { type: 'start' } } })],
  ];
  for (const [what, state] of states) {
    it(what, () => {
      const entries = helpEntries(state);
      assert.ok(entries.length > 0);
      for (const entry of entries) {
        for (const [input, key] of entry.press) assert.notEqual(appKeyEvent(state, input, key, geometry), undefined, `${entry.keys} (${JSON.stringify([input, key])}) does nothing`);
      }
    });
  }

  it("the findings' help names the selected finding's action keys", () => {
    const keys = helpEntries(doctor).map((e) => e.keys);
    assert.ok(keys.includes('r') && keys.includes('l'));
    for (const key of ['↑/↓', 'PgUp/PgDn', 'g/G', 'Enter', '/', 's', 'd', 'R', '?', 'q']) assert.ok(keys.includes(key), key);
  });
});
