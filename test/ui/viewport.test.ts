import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeRange, moveCursor, movementOf, scrollTop, visibleRange, type Movement } from '../../src/ui/viewport.js';

describe('visibleRange: the rows a viewport shows for a height and a cursor', () => {
  // [what, previous start, cursor, height, total, expected start, expected end]
  const table: Array<[string, number, number, number, number, number, number]> = [
    ['everything fits', 0, 3, 10, 5, 0, 5],
    ['nothing to show', 0, 0, 10, 0, 0, 0],
    ['the cursor inside the window: it does not move', 0, 9, 10, 60, 0, 10],
    ['one past the bottom: the window follows by one', 0, 10, 10, 60, 1, 11],
    ['far below: the cursor becomes the last row', 0, 45, 10, 60, 36, 46],
    ['the last row', 0, 59, 10, 60, 50, 60],
    ['above the window: the cursor becomes the first row', 36, 20, 10, 60, 20, 30],
    ['moving up inside the window keeps it', 36, 40, 10, 60, 36, 46],
    ['rows removed: no empty rows at the bottom while rows sit above', 50, 25, 10, 30, 20, 30],
    ['a cursor past the end is the last row', 0, 99, 10, 60, 50, 60],
    ['a height of 0 still shows the cursor row', 0, 7, 0, 60, 7, 8],
    ['a negative previous start is the top', -5, 0, 10, 60, 0, 10],
  ];
  for (const [what, previous, cursor, height, total, start, end] of table) {
    it(what, () => assert.deepEqual(visibleRange(previous, cursor, height, total), { start, end }));
  }

  it('walking down 60 rows one at a time keeps the cursor on screen and the window full', () => {
    let start = 0;
    for (let cursor = 0; cursor < 60; cursor++) {
      const range = visibleRange(start, cursor, 18, 60);
      assert.ok(cursor >= range.start && cursor < range.end, `cursor ${cursor} in ${range.start}–${range.end}`);
      assert.equal(range.end - range.start, 18);
      start = range.start;
    }
    assert.equal(start, 42);
  });
});

describe('moveCursor', () => {
  const table: Array<[Movement, number, number]> = [
    ['down', 0, 1],
    ['up', 0, 0],
    ['down', 59, 59],
    ['pageDown', 0, 18],
    ['pageDown', 50, 59],
    ['pageUp', 10, 0],
    ['pageUp', 40, 22],
    ['top', 33, 0],
    ['bottom', 3, 59],
  ];
  for (const [movement, from, to] of table) it(`${movement} from ${from} → ${to}`, () => assert.equal(moveCursor(from, movement, 60, 18), to));
  it('an empty list stays at 0', () => assert.equal(moveCursor(0, 'down', 0, 18), 0));
});

describe('scrollTop: text without a cursor', () => {
  const table: Array<[Movement, number, number, number, number]> = [
    // movement, top, total lines, height, new top
    ['down', 0, 70, 20, 1],
    ['bottom', 0, 70, 20, 50],
    ['down', 50, 70, 20, 50],
    ['pageDown', 0, 70, 20, 19],
    ['pageDown', 40, 70, 20, 50],
    ['pageUp', 50, 70, 20, 31],
    ['top', 50, 70, 20, 0],
    ['down', 0, 10, 20, 0],
    ['bottom', 0, 10, 20, 0],
  ];
  for (const [movement, top, total, height, expected] of table) {
    it(`${movement} from ${top} of ${total} lines in ${height} → ${expected}`, () => assert.equal(scrollTop(top, movement, total, height), expected));
  }
});

describe('describeRange and movementOf', () => {
  it('names the range only when something is hidden', () => {
    assert.equal(describeRange({ start: 0, end: 5 }, 5), '');
    assert.equal(describeRange({ start: 11, end: 33 }, 60), '12–33 of 60');
  });
  it('reads ↑/↓, PgUp/PgDn, Home/End and g/G', () => {
    assert.equal(movementOf('', { upArrow: true }), 'up');
    assert.equal(movementOf('', { pageDown: true }), 'pageDown');
    assert.equal(movementOf('g', {}), 'top');
    assert.equal(movementOf('G', {}), 'bottom');
    assert.equal(movementOf('', { end: true }), 'bottom');
    assert.equal(movementOf('j', {}), undefined);
  });
});
