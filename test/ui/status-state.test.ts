import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initialStatusState, statusKeyAction, statusReducer, visibleNames, type StatusAction, type StatusRowKey, type StatusViewState } from '../../src/ui/status-state.js';

const rowsOf = (...names: string[]): StatusRowKey[] => names.map((name) => ({ name, search: `${name}\ngithub` }));
const run = (state: StatusViewState, ...actions: StatusAction[]): StatusViewState => actions.reduce(statusReducer, state);
const start = initialStatusState(rowsOf('a', 'b', 'c'));
const down: StatusAction = { type: 'move', movement: 'down', page: 10 };
const up: StatusAction = { type: 'move', movement: 'up', page: 10 };

describe('statusReducer', () => {
  it('selects the first row at the start, nothing when there are no rows', () => {
    assert.equal(start.selected, 'a');
    assert.equal(initialStatusState([]).selected, null);
  });
  it('moves down and up and stops at the ends; PgDn and G reach the last row', () => {
    assert.equal(run(start, down).selected, 'b');
    assert.equal(run(start, down, down, down, down).selected, 'c');
    assert.equal(run(start, up).selected, 'a');
    assert.equal(run(start, down, down, up).selected, 'b');
    assert.equal(run(start, { type: 'move', movement: 'pageDown', page: 10 }).selected, 'c');
    assert.equal(run(start, { type: 'move', movement: 'bottom', page: 2 }, { type: 'move', movement: 'top', page: 2 }).selected, 'a');
  });
  it('opens the detail of the selected row and goes back', () => {
    const open = run(start, down, { type: 'open' });
    assert.deepEqual([open.detailOpen, open.selected], [true, 'b']);
    assert.equal(run(open, { type: 'back' }).detailOpen, false);
  });
  it('moves scroll the open detail, never switch the connection under the reader', () => {
    const open = run(start, { type: 'open' }, { type: 'move', movement: 'down', page: 10, total: 30 });
    assert.deepEqual([open.selected, open.detailTop], ['a', 1]);
  });
  it('does not open anything when there are no rows', () => {
    assert.equal(run(initialStatusState([]), { type: 'open' }).detailOpen, false);
    assert.equal(run(initialStatusState([]), down).selected, null);
  });
  it('keeps the selection on the same connection when rows re-order', () => {
    const s = run(start, down, { type: 'rows', rows: rowsOf('c', 'b', 'a') });
    assert.equal(s.selected, 'b');
    assert.equal(run(s, down).selected, 'a');
  });
  it('when the selected connection disappears, selects what took its place and keeps the detail only if something is left', () => {
    const s = run(start, down, down, { type: 'open' }, { type: 'rows', rows: rowsOf('a', 'b') });
    assert.deepEqual([s.selected, s.detailOpen], ['b', true]);
    const gone = run(s, { type: 'rows', rows: [] });
    assert.deepEqual([gone.selected, gone.detailOpen], [null, false]);
    assert.equal(run(gone, { type: 'rows', rows: rowsOf('x') }).selected, 'x');
  });
  it('the filter narrows the rows, moves stay within them, Esc brings every row back with the selection kept', () => {
    let s = run(initialStatusState(rowsOf('gh-1', 'slack', 'gh-2')), { type: 'filter', event: { type: 'start' } }, { type: 'filter', event: { type: 'type', text: 'gh' } });
    assert.deepEqual(visibleNames(s), ['gh-1', 'gh-2']);
    s = run(s, { type: 'filter', event: { type: 'accept' } }, down, down);
    assert.equal(s.selected, 'gh-2');
    s = run(s, { type: 'filter', event: { type: 'start' } }, { type: 'filter', event: { type: 'type', text: 'zzz' } });
    assert.deepEqual([visibleNames(s), s.selected], [[], null]);
    s = run(s, { type: 'filter', event: { type: 'clear' } });
    assert.deepEqual(visibleNames(s), ['gh-1', 'slack', 'gh-2']);
  });
});

describe('statusKeyAction', () => {
  const geometry = { page: 10, detailLines: 0 };
  const typing = run(start, { type: 'filter', event: { type: 'start' } });
  const cases: Array<[string, StatusViewState, string, Parameters<typeof statusKeyAction>[2], ReturnType<typeof statusKeyAction>]> = [
    ['↓', start, '', { downArrow: true }, { type: 'move', movement: 'down', page: 10, total: 0 }],
    ['j', start, 'j', {}, { type: 'move', movement: 'down', page: 10, total: 0 }],
    ['↑', start, '', { upArrow: true }, { type: 'move', movement: 'up', page: 10, total: 0 }],
    ['k', start, 'k', {}, { type: 'move', movement: 'up', page: 10, total: 0 }],
    ['PgUp', start, '', { pageUp: true }, { type: 'move', movement: 'pageUp', page: 10, total: 0 }],
    ['g', start, 'g', {}, { type: 'move', movement: 'top', page: 10, total: 0 }],
    ['Enter', start, '\r', { return: true }, { type: 'open' }],
    ['Esc', start, '', { escape: true }, { type: 'back' }],
    ['Backspace (DEL)', start, '', { delete: true }, { type: 'back' }],
    ['Backspace (BS)', start, '', { backspace: true }, { type: 'back' }],
    ['/', start, '/', {}, { type: 'filter', event: { type: 'start' } }],
    ['typing: j is text', typing, 'j', {}, { type: 'filter', event: { type: 'type', text: 'j' } }],
    ['typing: an escape sequence never reaches the query', typing, '\u001b[31m', {}, { type: 'filter', event: { type: 'type', text: '[31m' } }],
    ['typing: Enter keeps the filter', typing, '\r', { return: true }, { type: 'filter', event: { type: 'accept' } }],
    ['x', start, 'x', {}, null],
  ];
  for (const [title, state, input, key, expected] of cases) it(`${title} → ${JSON.stringify(expected)}`, () => assert.deepEqual(statusKeyAction(state, input, key, geometry), expected));
});
