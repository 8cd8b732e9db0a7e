import type { KeyPress } from './key-press.js';

// The status screen's state apart from Ink (STYLE 7): which row is selected, whether its detail is open.
// Selection follows the connection's name, because rows re-order when a health changes.

export interface StatusViewState {
  names: string[];
  selected: string | null;
  detailOpen: boolean;
}

export type StatusAction =
  | { type: 'rows'; names: string[] }
  | { type: 'up' }
  | { type: 'down' }
  | { type: 'open' }
  | { type: 'back' };

export function initialStatusState(names: string[]): StatusViewState {
  return { names, selected: names[0] ?? null, detailOpen: false };
}

export function statusReducer(state: StatusViewState, action: StatusAction): StatusViewState {
  switch (action.type) {
    case 'rows': {
      const kept = state.selected !== null && action.names.includes(state.selected);
      if (kept) return { ...state, names: action.names };
      // The selected connection disappeared: stay at its old position, clamped.
      const index = Math.min(Math.max(0, state.selected === null ? 0 : state.names.indexOf(state.selected)), action.names.length - 1);
      const selected = action.names[index] ?? null;
      return { names: action.names, selected, detailOpen: state.detailOpen && selected !== null };
    }
    case 'up':
    case 'down': {
      if (state.detailOpen || state.names.length === 0) return state;
      const at = state.selected === null ? -1 : state.names.indexOf(state.selected);
      const next = action.type === 'down' ? Math.min(at + 1, state.names.length - 1) : Math.max(at - 1, 0);
      return { ...state, selected: state.names[next] ?? null };
    }
    case 'open':
      return state.selected === null ? state : { ...state, detailOpen: true };
    case 'back':
      return { ...state, detailOpen: false };
  }
}

/** Maps a keypress to an action, 'quit', or null (ignored). */
export function statusKeyAction(input: string, key: KeyPress): StatusAction | 'quit' | null {
  if (input === 'q' || (key.ctrl && input === 'c')) return 'quit';
  if (key.upArrow || input === 'k') return { type: 'up' };
  if (key.downArrow || input === 'j') return { type: 'down' };
  if (key.return) return { type: 'open' };
  // Most terminals send DEL for Backspace, which Ink reports as `delete`.
  if (key.escape || key.backspace || key.delete) return { type: 'back' };
  return null;
}
