import { doctorHoldsKeys, doctorKeyEvent, doctorReducer, initialDoctorState, type DoctorEvent, type DoctorState } from './doctor-state.js';
import type { KeyPress } from './key-press.js';
import { initialStatusState, statusKeyAction, statusReducer, type StatusAction, type StatusViewState } from './status-state.js';

// `broker status` and `broker doctor` are two views of one app: which view is on screen, whether
// the help is open, and each view's own state (its selection survives a trip to the other view).
// Pure (STYLE 7): the App component only maps keys through appKeyEvent and draws.

export type AppView = 'status' | 'doctor';

export interface AppState {
  view: AppView;
  help: boolean;
  status: StatusViewState;
  doctor: DoctorState;
}

export type AppEvent =
  | { type: 'show-status' }
  /** The doctor's findings, of one connection (`d` on a grid row) or of all (null). */
  | { type: 'show-doctor'; conn: string | null }
  | { type: 'help'; open: boolean }
  | { type: 'status'; action: StatusAction }
  | { type: 'doctor'; event: DoctorEvent };

/** What a key asks for: a state change, or something the App does (quit, read the log again, re-read the state). */
export type AppCommand = AppEvent | { type: 'quit' } | { type: 'rescan' } | { type: 'reload' };

export interface Geometry {
  /** Rows the current viewport shows. */
  page: number;
  /** Lines of the open detail (the runbook, a connection's details). */
  detailLines: number;
}

export function initialAppState(view: AppView): AppState {
  return { view, help: false, status: initialStatusState(), doctor: initialDoctorState() };
}

export function appReducer(state: AppState, event: AppEvent): AppState {
  switch (event.type) {
    case 'show-status':
      return { ...state, view: 'status', help: false };
    case 'show-doctor':
      return { ...state, view: 'doctor', help: false, doctor: doctorReducer(state.doctor, { type: 'conn', conn: event.conn }) };
    case 'help':
      return { ...state, help: event.open };
    case 'status':
      return { ...state, status: statusReducer(state.status, event.action) };
    case 'doctor':
      return { ...state, doctor: doctorReducer(state.doctor, event.event) };
  }
}

/**
 * Keys → commands. Ctrl+C always quits. Outside the y/N, a running fix and a filter being typed,
 * q quits, ? opens the help, s shows the grid, d the doctor, R reads again; then the view's own keys.
 */
export function appKeyEvent(state: AppState, input: string, key: KeyPress, geometry: Geometry): AppCommand | undefined {
  if (key.ctrl && input === 'c') return { type: 'quit' };
  if (state.help) {
    if (input === '?' || key.escape || key.return || key.backspace || key.delete) return { type: 'help', open: false };
    if (input === 'q') return { type: 'quit' };
    return undefined;
  }
  if (state.view === 'doctor') {
    if (!doctorHoldsKeys(state.doctor)) {
      if (input === 'q') return { type: 'quit' };
      if (input === '?') return { type: 'help', open: true };
      if (input === 's') return { type: 'show-status' };
      if (input === 'd') return { type: 'show-doctor', conn: null };
      if (input === 'R') return { type: 'rescan' };
    }
    const event = doctorKeyEvent(state.doctor, input, key, geometry);
    return event ? { type: 'doctor', event } : undefined;
  }
  if (!state.status.filter.editing) {
    if (input === 'q') return { type: 'quit' };
    if (input === '?') return { type: 'help', open: true };
    if (input === 'd') return { type: 'show-doctor', conn: state.status.selected };
    if (input === 'R') return { type: 'reload' };
  }
  const action = statusKeyAction(state.status, input, key, geometry);
  return action ? { type: 'status', action } : undefined;
}
