import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding } from '../../src/core/findings.js';
import {
  doctorKeyEvent,
  doctorReducer,
  findingKey,
  initialDoctorState,
  selectedFinding,
  visibleFindings,
  type DoctorEvent,
  type DoctorState,
} from '../../src/ui/doctor-state.js';

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
const oldRace: Finding = { ...race, conn: 'okta', summary: 'okta: raced; resolved at 02:00:00 UTC: refresh ok', actions: [], state: 'resolved', resolvedAt: '2026-11-22T02:00:00.000Z' };

const run = (state: DoctorState, ...events: DoctorEvent[]) => events.reduce(doctorReducer, state);
const down: DoctorEvent = { type: 'move', movement: 'down', page: 10 };
const up: DoctorEvent = { type: 'move', movement: 'up', page: 10 };
const geometry = { page: 10, detailLines: 40 };

describe('doctorReducer', () => {
  it('moves the selection within bounds, by row, page and to either end', () => {
    const s = initialDoctorState([race, ci, oldRace]);
    assert.equal(selectedFinding(run(s, down)), ci);
    assert.equal(selectedFinding(run(s, down, down, down, down)), oldRace);
    assert.equal(selectedFinding(run(s, up)), race);
    assert.equal(selectedFinding(run(s, { type: 'move', movement: 'bottom', page: 10 })), oldRace);
    assert.equal(selectedFinding(run(s, { type: 'move', movement: 'pageDown', page: 10 }, { type: 'move', movement: 'top', page: 10 })), race);
  });

  it('lists active findings before resolved ones whatever order they arrive in', () => {
    assert.deepEqual(visibleFindings(initialDoctorState([oldRace, ci, race])).map((f) => f.state), ['active', 'active', 'resolved']);
  });

  it('opens the runbook, asks before an action, runs on yes, and shows whether the fix held', () => {
    let s = run(initialDoctorState([race, ci]), { type: 'open' });
    assert.equal(s.view.kind, 'detail');
    s = run(s, { type: 'key', key: 'r' });
    assert.deepEqual(s.view, { kind: 'confirm', action: race.actions[0], from: 'detail' });
    s = run(s, { type: 'answer', yes: true });
    assert.equal(s.view.kind, 'running');
    s = run(s, { type: 'done', result: { ok: true, detail: 'refreshed', held: true }, findingsAfter: [ci] });
    assert.equal(s.view.kind, 'list', 'the finding is gone: back to the list');
    assert.equal(s.outcome?.result.held, true);
    assert.deepEqual(s.findings, [ci]);
    assert.equal(selectedFinding(s), ci, 'the row that took its place');
    assert.equal(run(s, { type: 'open' }).outcome, null, 'the result goes with the next view change');
  });

  it('a fix that did not hold stays on the runbook it came from, with the result', () => {
    const s = run(initialDoctorState([race, ci]), { type: 'open' }, { type: 'key', key: 'r' }, { type: 'answer', yes: true }, { type: 'done', result: { ok: false, detail: 'invalid_grant', held: false }, findingsAfter: [race, ci] });
    assert.deepEqual([s.view.kind, selectedFinding(s)?.id, s.outcome?.result.detail], ['detail', 'refresh-race', 'invalid_grant']);
  });

  it('an action that throws: the error is kept, every finding stays, the selection too', () => {
    const before = run(initialDoctorState([ci, race]), down);
    const s = run(before, { type: 'key', key: 'l' }, { type: 'answer', yes: true }, { type: 'failed', message: 'the login did not complete (exit 1)' });
    assert.deepEqual(s.findings, before.findings);
    assert.equal(selectedFinding(s), race);
    assert.equal(s.view.kind, 'list');
    assert.deepEqual([s.outcome?.result.ok, s.outcome?.result.detail, s.outcome?.crashed], [false, 'the login did not complete (exit 1)', true]);
  });

  it('no on the confirm goes back to where it was asked and runs nothing', () => {
    const s = run(initialDoctorState([race]), { type: 'key', key: 'l' }, { type: 'answer', yes: false });
    assert.equal(s.view.kind, 'list');
    assert.deepEqual(s.findings, [race]);
  });

  it('ignores keys that are not actions of the selected finding, reserved keys, resolved findings and input while a fix runs', () => {
    const s = initialDoctorState([race, ci, oldRace]);
    assert.equal(run(s, down, { type: 'key', key: 'r' }).view.kind, 'list', 'personal-in-ci has no actions');
    assert.equal(run(s, down, down, { type: 'key', key: 'r' }).view.kind, 'list', 'a resolved finding has nothing to run');
    const withReserved = initialDoctorState([{ ...race, actions: [{ key: 'd', action: 'refresh', label: 'would collide with d' }] }]);
    assert.equal(run(withReserved, { type: 'key', key: 'd' }).view.kind, 'list', 'a runbook key that is reserved never runs');
    const running = run(s, { type: 'key', key: 'r' }, { type: 'answer', yes: true });
    assert.equal(run(running, { type: 'back' }, down, { type: 'key', key: 'l' }).view.kind, 'running');
  });

  it('with no findings, nothing opens', () => {
    const s = initialDoctorState([]);
    assert.deepEqual(run(s, { type: 'open' }, down), s);
  });

  it('filters by connection and by text; the selection follows the finding; Esc clears the text', () => {
    let s = run(initialDoctorState([race, ci, oldRace]), { type: 'conn', conn: 'okta' });
    assert.deepEqual(visibleFindings(s), [oldRace]);
    assert.equal(selectedFinding(s), oldRace);
    s = run(s, { type: 'conn', conn: null });
    assert.equal(selectedFinding(s), oldRace, 'all connections again: the same finding stays selected');
    s = run(s, up);
    assert.equal(selectedFinding(s), ci);
    s = run(s, { type: 'filter', event: { type: 'start' } }, { type: 'filter', event: { type: 'type', text: 'RACE' } });
    assert.deepEqual(visibleFindings(s), [race, oldRace], 'case-insensitive, over id, title, connection and summary');
    assert.equal(selectedFinding(s), oldRace, 'ci is hidden: the row now at its place is selected');
    s = run(s, { type: 'filter', event: { type: 'accept' } }, up);
    assert.equal(selectedFinding(s), race);
    s = run(s, { type: 'back' });
    assert.equal(s.filter.query, '');
    assert.equal(selectedFinding(s), race, 'clearing the filter keeps the selection');
  });

  it('a rescan keeps the selected finding even when it moved', () => {
    const s = run(initialDoctorState([race, ci]), down, { type: 'loaded', findings: [ci, race] });
    assert.equal(s.selected, findingKey(ci));
  });

  it('the detail scrolls within its lines', () => {
    const s = run(initialDoctorState([race]), { type: 'open' }, { type: 'move', movement: 'bottom', page: 10, total: 40 });
    assert.equal(s.detailTop, 30);
    assert.equal(run(s, { type: 'move', movement: 'pageUp', page: 10, total: 40 }).detailTop, 21);
    assert.equal(run(s, { type: 'back' }, { type: 'open' }).detailTop, 0);
  });
});

describe('doctorKeyEvent', () => {
  const list = initialDoctorState([race, ci]);
  const confirming = run(list, { type: 'key', key: 'r' });
  const running = run(confirming, { type: 'answer', yes: true });
  const typing = run(list, { type: 'filter', event: { type: 'start' } });
  const table: Array<[string, DoctorState, string, Record<string, boolean>, ReturnType<typeof doctorKeyEvent>]> = [
    ['↓ moves', list, '', { downArrow: true }, { type: 'move', movement: 'down', page: 10, total: 40 }],
    ['PgDn moves a page', list, '', { pageDown: true }, { type: 'move', movement: 'pageDown', page: 10, total: 40 }],
    ['G goes to the bottom', list, 'G', {}, { type: 'move', movement: 'bottom', page: 10, total: 40 }],
    ['enter opens', list, '', { return: true }, { type: 'open' }],
    ['a letter is an action key, k included (keep-alive), not movement', list, 'k', {}, { type: 'key', key: 'k' }],
    ['a reserved letter is never an action key', list, 'n', {}, undefined],
    ['/ starts the filter', list, '/', {}, { type: 'filter', event: { type: 'start' } }],
    ['while typing the filter, g is text', typing, 'g', {}, { type: 'filter', event: { type: 'type', text: 'g' } }],
    ['while typing the filter, ↓ still moves', typing, '', { downArrow: true }, { type: 'move', movement: 'down', page: 10, total: 40 }],
    ['esc goes back', run(list, { type: 'open' }), '', { escape: true }, { type: 'back' }],
    ['y confirms', confirming, 'y', {}, { type: 'answer', yes: true }],
    ['n cancels', confirming, 'n', {}, { type: 'answer', yes: false }],
    ['N cancels', confirming, 'N', {}, { type: 'answer', yes: false }],
    ['esc cancels', confirming, '', { escape: true }, { type: 'answer', yes: false }],
    ['enter on the y/N is a no', confirming, '', { return: true }, { type: 'answer', yes: false }],
    ['the action key again on the y/N is not a yes', confirming, 'r', {}, undefined],
    ['q on the y/N is not a quit', confirming, 'q', {}, undefined],
    ['nothing while a fix runs', running, 'q', {}, undefined],
  ];
  for (const [what, state, input, key, expected] of table) {
    it(what, () => assert.deepEqual(doctorKeyEvent(state, input, key, geometry), expected));
  }
});
