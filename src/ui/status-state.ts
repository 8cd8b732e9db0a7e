import { filterKeyEvent, filterReducer, matchesQuery, noFilter, type FilterEvent, type FilterState } from './filter-state.js';
import type { KeyPress } from './key-press.js';
import { moveCursor, movementOf, scrollTop, type Movement } from './viewport.js';

// The status screen's state apart from Ink (STYLE 7): which row is selected, whether its detail is open.
// Selection follows the connection's name, because rows re-order when a health changes.

export interface StatusRowKey {
  name: string;
  /** What the `/` filter searches: name, provider, account, health. */
  search: string;
}

export interface StatusViewState {
  rows: StatusRowKey[];
  selected: string | null;
  detailOpen: boolean;
  filter: FilterState;
  /** The first line of the open detail on screen. */
  detailTop: number;
}

export type StatusAction =
  | { type: 'rows'; rows: StatusRowKey[] }
  /** `page` is the viewport's height; `total` the detail's line count. */
  | { type: 'move'; movement: Movement; page: number; total?: number }
  | { type: 'open' }
  | { type: 'back' }
  | { type: 'filter'; event: FilterEvent };

export function statusRowKeys(rows: ReadonlyArray<{ name: string; provider: string; account: string | null; health: string }>): StatusRowKey[] {
  return rows.map((r) => ({ name: r.name, search: [r.name, r.provider, r.account ?? '', r.health].join('\n') }));
}

export function initialStatusState(rows: StatusRowKey[] = []): StatusViewState {
  return { rows, selected: rows[0]?.name ?? null, detailOpen: false, filter: noFilter, detailTop: 0 };
}

/** The names the grid shows, in order: those matching the filter. */
export function visibleNames(state: Pick<StatusViewState, 'rows' | 'filter'>): string[] {
  return state.rows.filter((r) => matchesQuery([r.search], state.filter.query)).map((r) => r.name);
}

export function statusReducer(state: StatusViewState, action: StatusAction): StatusViewState {
  switch (action.type) {
    case 'rows':
      return reselect(state, { ...state, rows: action.rows });
    case 'move': {
      if (state.detailOpen) return { ...state, detailTop: scrollTop(state.detailTop, action.movement, action.total ?? 0, action.page) };
      const names = visibleNames(state);
      if (names.length === 0) return state;
      const at = state.selected === null ? 0 : Math.max(0, names.indexOf(state.selected));
      return { ...state, selected: names[moveCursor(at, action.movement, names.length, action.page)] ?? null };
    }
    case 'open':
      return state.selected === null || state.detailOpen ? state : { ...state, detailOpen: true, detailTop: 0 };
    case 'back':
      if (state.detailOpen) return { ...state, detailOpen: false };
      return state.filter.query === '' ? state : reselect(state, { ...state, filter: noFilter });
    case 'filter':
      if (state.detailOpen) return state;
      return reselect(state, { ...state, filter: filterReducer(state.filter, action.event) });
  }
}

/** The selected connection stays selected while shown; when it disappears, what took its place is selected. */
function reselect(before: StatusViewState, after: StatusViewState): StatusViewState {
  const names = visibleNames(after);
  if (before.selected !== null && names.includes(before.selected)) return after;
  const old = visibleNames(before);
  const at = before.selected === null ? 0 : Math.max(0, old.indexOf(before.selected));
  const selected = names[Math.min(at, names.length - 1)] ?? null;
  return { ...after, selected, detailOpen: after.detailOpen && selected !== null };
}

export interface StatusGeometry {
  page: number;
  detailLines: number;
}

/** Maps a keypress to an action, or null (ignored). Keys the whole app shares (q, ?, d, s, R) are read by appKeyEvent first. */
export function statusKeyAction(state: StatusViewState, input: string, key: KeyPress, geometry: StatusGeometry): StatusAction | null {
  const editing = state.filter.editing;
  // The grid has no action letters, so j/k move too (as in less and k9s); while the filter is typed, letters are text.
  const movement = movementOf(editing ? '' : input, key) ?? (editing ? undefined : input === 'k' ? 'up' : input === 'j' ? 'down' : undefined);
  if (movement) return { type: 'move', movement, page: geometry.page, total: geometry.detailLines };
  if (editing) {
    const event = filterKeyEvent(input, key);
    return event ? { type: 'filter', event } : null;
  }
  if (key.return) return { type: 'open' };
  // Most terminals send DEL for Backspace, which Ink reports as `delete`.
  if (key.escape || key.backspace || key.delete) return { type: 'back' };
  if (input === '/' && !state.detailOpen) return { type: 'filter', event: { type: 'start' } };
  return null;
}
