import type { KeyPress } from './key-press.js';

// The arithmetic of a scrolling viewport, apart from Ink: which rows are visible for a height and a
// cursor, and where a movement key puts the cursor. Lists (the grid, the findings) move a cursor;
// text (a runbook) moves its top line, which is the same arithmetic with the top as the cursor.

export type Movement = 'up' | 'down' | 'pageUp' | 'pageDown' | 'top' | 'bottom';

export interface VisibleRange {
  /** First visible row. */
  start: number;
  /** One past the last visible row. */
  end: number;
}

/** The cursor after a movement, within [0, total - 1]; `page` is how many rows the viewport shows. */
export function moveCursor(cursor: number, movement: Movement, total: number, page: number): number {
  const step = Math.max(1, page);
  const next = { up: cursor - 1, down: cursor + 1, pageUp: cursor - step, pageDown: cursor + step, top: 0, bottom: total - 1 }[movement];
  return clampIndex(next, total);
}

/**
 * The rows a viewport of `height` shows so the cursor stays visible, moving as little as possible
 * from where it was (`previousStart`), like k9s or less: the window follows the cursor only when
 * it leaves, and never leaves empty rows at the bottom while there are rows above.
 */
export function visibleRange(previousStart: number, cursor: number, height: number, total: number): VisibleRange {
  const rows = Math.max(1, height);
  if (total <= rows) return { start: 0, end: total };
  let start = Math.min(Math.max(0, previousStart), total - rows);
  const at = clampIndex(cursor, total);
  if (at < start) start = at;
  else if (at >= start + rows) start = at - rows + 1;
  return { start, end: start + rows };
}

/** Text without a cursor: the top line after a movement, so that the last page is full. */
export function scrollTop(top: number, movement: Movement, total: number, height: number): number {
  const last = Math.max(0, total - Math.max(1, height));
  const page = Math.max(1, height - 1);
  const next = movement === 'bottom' ? last : moveCursor(top, movement, last + 1, page);
  return Math.min(Math.max(0, next), last);
}

/** "12–33 of 60" when not everything fits, "" when it does. */
export function describeRange(range: VisibleRange, total: number): string {
  if (total === 0 || (range.start === 0 && range.end >= total)) return '';
  return `${range.start + 1}–${range.end} of ${total}`;
}

/** ↑/↓, PgUp/PgDn, Home/End and g/G: the same keys in every list and text view. */
export function movementOf(input: string, key: KeyPress): Movement | undefined {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.pageUp) return 'pageUp';
  if (key.pageDown) return 'pageDown';
  if (key.home || input === 'g') return 'top';
  if (key.end || input === 'G') return 'bottom';
  return undefined;
}

function clampIndex(index: number, total: number): number {
  return Math.max(0, Math.min(index, total - 1));
}
