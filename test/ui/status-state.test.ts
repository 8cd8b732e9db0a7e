import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initialStatusState, statusKeyAction, statusReducer, type StatusAction, type StatusViewState } from '../../src/ui/status-state.js';

const run = (state: StatusViewState, ...actions: StatusAction[]): StatusViewState => actions.reduce(statusReducer, state);
const start = initialStatusState(['a', 'b', 'c']);

describe('statusReducer', () => {
  it('selects the first row at the start, nothing when there are no rows', () => {
    assert.equal(start.selected, 'a');
    assert.equal(initialStatusState([]).selected, null);
  });
  it('moves down and up and stops at the ends', () => {
    assert.equal(run(start, { type: 'down' }).selected, 'b');
    assert.equal(run(start, { type: 'down' }, { type: 'down' }, { type: 'down' }, { type: 'down' }).selected, 'c');
    assert.equal(run(start, { type: 'up' }).selected, 'a');
    assert.equal(run(start, { type: 'down' }, { type: 'down' }, { type: 'up' }).selected, 'b');
  });
  it('opens the detail of the selected row and goes back', () => {
    const open = run(start, { type: 'down' }, { type: 'open' });
    assert.deepEqual([open.detailOpen, open.selected], [true, 'b']);
    assert.equal(run(open, { type: 'back' }).detailOpen, false);
  });
  it('ignores moves while the detail is open, so the detail never switches under the reader', () => {
    const open = run(start, { type: 'open' }, { type: 'down' });
    assert.equal(open.selected, 'a');
  });
  it('does not open anything when there are no rows', () => {
    assert.equal(run(initialStatusState([]), { type: 'open' }).detailOpen, false);
    assert.equal(run(initialStatusState([]), { type: 'down' }).selected, null);
  });
  it('keeps the selection on the same connection when rows re-order', () => {
    const s = run(start, { type: 'down' }, { type: 'rows', names: ['c', 'b', 'a'] });
    assert.equal(s.selected, 'b');
    assert.equal(run(s, { type: 'down' }).selected, 'a');
  });
  it('when the selected connection disappears, selects what took its place and keeps the detail only if something is left', () => {
    const s = run(start, { type: 'down' }, { type: 'down' }, { type: 'open' }, { type: 'rows', names: ['a', 'b'] });
    assert.deepEqual([s.selected, s.detailOpen], ['b', true]);
    const gone = run(s, { type: 'rows', names: [] });
    assert.deepEqual([gone.selected, gone.detailOpen], [null, false]);
    assert.equal(run(gone, { type: 'rows', names: ['x'] }).selected, 'x');
  });
});

describe('statusKeyAction', () => {
  const cases: Array<[string, string, Parameters<typeof statusKeyAction>[1], ReturnType<typeof statusKeyAction>]> = [
    ['↓', '', { downArrow: true }, { type: 'down' }],
    ['j', 'j', {}, { type: 'down' }],
    ['↑', '', { upArrow: true }, { type: 'up' }],
    ['k', 'k', {}, { type: 'up' }],
    ['Enter', '\r', { return: true }, { type: 'open' }],
    ['Esc', '', { escape: true }, { type: 'back' }],
    ['Backspace (DEL)', '', { delete: true }, { type: 'back' }],
    ['Backspace (BS)', '', { backspace: true }, { type: 'back' }],
    ['q', 'q', {}, 'quit'],
    ['Ctrl+C', 'c', { ctrl: true }, 'quit'],
    ['c alone', 'c', {}, null],
    ['x', 'x', {}, null],
  ];
  for (const [title, input, key, expected] of cases) it(`${title} → ${JSON.stringify(expected)}`, () => assert.deepEqual(statusKeyAction(input, key), expected));
});
