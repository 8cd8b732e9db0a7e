import type { KeyPress } from './key-press.js';

// The `/` filter every list has: typing narrows the rows, Enter keeps the filter and returns the keys
// to the list, Esc clears it. Pure, so each view's reducer embeds it and tests it without Ink.

export interface FilterState {
  query: string;
  /** Keys go to the query while true. */
  editing: boolean;
}

export type FilterEvent = { type: 'start' } | { type: 'type'; text: string } | { type: 'erase' } | { type: 'accept' } | { type: 'clear' };

export const noFilter: FilterState = { query: '', editing: false };

export function filterReducer(state: FilterState, event: FilterEvent): FilterState {
  switch (event.type) {
    case 'start':
      return { ...state, editing: true };
    case 'type':
      return { ...state, query: state.query + event.text };
    case 'erase':
      return { ...state, query: state.query.slice(0, -1) };
    case 'accept':
      return { query: state.query.trim(), editing: false };
    case 'clear':
      return noFilter;
  }
}

/** While editing: what a key does to the query, or undefined for keys the list still handles (arrows, Ctrl+C). */
export function filterKeyEvent(input: string, key: KeyPress): FilterEvent | undefined {
  if (key.escape) return { type: 'clear' };
  if (key.return) return { type: 'accept' };
  if (key.backspace || key.delete) return { type: 'erase' };
  if (key.ctrl || key.meta || key.upArrow || key.downArrow || key.pageUp || key.pageDown) return undefined;
  // Printable text only: a pasted escape sequence must not reach the screen through the query.
  const text = input.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
  return text === '' ? undefined : { type: 'type', text };
}

/** Case-insensitive: every word of the query appears in one of the fields. */
export function matchesQuery(fields: ReadonlyArray<string | null | undefined>, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = fields.filter((f): f is string => typeof f === 'string').join('\n').toLowerCase();
  return words.every((w) => haystack.includes(w));
}
