import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding } from '../../src/core/findings.js';
import { doctorKeyEvent, doctorReducer, initialDoctorState, selectedFinding, type DoctorEvent, type DoctorState } from '../../src/ui/doctor-state.js';

const race: Finding = {
  id: 'refresh-race',
  severity: 'critical',
  conn: 'gh-work',
  summary: 'gh-work: 2 processes refreshed the same token at 03:01:12; pid 4412 lost with invalid_grant',
  evidence: [],
  actions: [
    { key: 'r', action: 'refresh', label: 'Refresh under the lock' },
    { key: 'l', action: 'relogin', label: 'Log in again' },
  ],
  state: 'active',
};
const ci: Finding = { id: 'personal-in-ci', severity: 'warning', conn: 'me', summary: 'me: personal token used from CI', evidence: [], actions: [], state: 'active' };

const run = (state: DoctorState, ...events: DoctorEvent[]) => events.reduce(doctorReducer, state);

describe('doctorReducer', () => {
  it('moves the selection within bounds', () => {
    const s = initialDoctorState([race, ci]);
    assert.equal(run(s, { type: 'down' }).selected, 1);
    assert.equal(run(s, { type: 'down' }, { type: 'down' }, { type: 'down' }).selected, 1);
    assert.equal(run(s, { type: 'up' }).selected, 0);
  });

  it('opens the runbook, asks before an action, runs on yes, and shows whether the fix held', () => {
    let s = run(initialDoctorState([race, ci]), { type: 'open' });
    assert.equal(s.view.kind, 'detail');
    s = run(s, { type: 'key', key: 'r' });
    assert.deepEqual(s.view, { kind: 'confirm', action: race.actions[0] });
    s = run(s, { type: 'answer', yes: true });
    assert.equal(s.view.kind, 'running');
    s = run(s, { type: 'done', result: { ok: true, detail: 'refreshed', held: true }, findingsAfter: [ci] });
    assert.equal(s.view.kind, 'result');
    assert.deepEqual(s.findings, [ci]);
    assert.equal(selectedFinding(s), ci);
    assert.equal(run(s, { type: 'open' }).view.kind, 'list');
  });

  it('no on the confirm goes back to the runbook and runs nothing', () => {
    const s = run(initialDoctorState([race]), { type: 'key', key: 'l' }, { type: 'answer', yes: false });
    assert.equal(s.view.kind, 'detail');
    assert.deepEqual(s.findings, [race]);
  });

  it('ignores keys that are not actions of the selected finding, and input while a fix runs', () => {
    const s = initialDoctorState([race, ci]);
    assert.equal(run(s, { type: 'down' }, { type: 'key', key: 'r' }).view.kind, 'list', 'personal-in-ci has no actions');
    const running = run(s, { type: 'key', key: 'r' }, { type: 'answer', yes: true });
    assert.equal(run(running, { type: 'back' }, { type: 'down' }, { type: 'key', key: 'l' }).view.kind, 'running');
  });

  it('with no findings, nothing opens', () => {
    const s = initialDoctorState([]);
    assert.deepEqual(run(s, { type: 'open' }, { type: 'down' }), s);
  });
});

describe('doctorKeyEvent', () => {
  const list = initialDoctorState([race, ci]);
  const confirming = run(list, { type: 'key', key: 'r' });
  const running = run(confirming, { type: 'answer', yes: true });
  const table: Array<[string, DoctorState, string, Record<string, boolean>, ReturnType<typeof doctorKeyEvent>]> = [
    ['↓ moves', list, '', { downArrow: true }, { type: 'down' }],
    ['enter opens', list, '', { return: true }, { type: 'open' }],
    ['a letter is an action key, k included (keep-alive), not movement', list, 'k', {}, { type: 'key', key: 'k' }],
    ['q quits', list, 'q', {}, 'quit'],
    ['esc goes back', run(list, { type: 'open' }), '', { escape: true }, { type: 'back' }],
    ['y confirms', confirming, 'y', {}, { type: 'answer', yes: true }],
    ['enter on the y/N is a no', confirming, '', { return: true }, { type: 'answer', yes: false }],
    ['q on the y/N is not a quit', confirming, 'q', {}, undefined],
    ['nothing but Ctrl+C while a fix runs', running, 'q', {}, undefined],
    ['Ctrl+C quits even while a fix runs', running, 'c', { ctrl: true }, 'quit'],
  ];
  for (const [what, state, input, key, expected] of table) {
    it(what, () => assert.deepEqual(doctorKeyEvent(state, input, key), expected));
  }
});
