import type { ActionRef, Finding } from '../core/findings.js';
import type { KeyPress } from './key-press.js';

// The interactive doctor's state, apart from input and view (STYLE 7): tested without Ink.

export interface ActionResultView {
  ok: boolean;
  detail: string;
  held: boolean;
  output?: string;
}

export type DoctorView =
  | { kind: 'list' }
  | { kind: 'detail' }
  | { kind: 'confirm'; action: ActionRef }
  | { kind: 'running'; action: ActionRef }
  | { kind: 'result'; action: ActionRef; result: ActionResultView };

export interface DoctorState {
  findings: Finding[];
  selected: number;
  view: DoctorView;
}

export type DoctorEvent =
  | { type: 'up' }
  | { type: 'down' }
  | { type: 'open' }
  | { type: 'back' }
  /** A letter pressed in the list or the detail view: an action key of the selected finding. */
  | { type: 'key'; key: string }
  | { type: 'answer'; yes: boolean }
  | { type: 'done'; result: ActionResultView; findingsAfter: Finding[] }
  /** A scan of the log finished (the first, or R). */
  | { type: 'loaded'; findings: Finding[] };

export function initialDoctorState(findings: Finding[]): DoctorState {
  return { findings, selected: 0, view: { kind: 'list' } };
}

export function selectedFinding(state: DoctorState): Finding | undefined {
  return state.findings[state.selected];
}

export function doctorReducer(state: DoctorState, event: DoctorEvent): DoctorState {
  const { view } = state;
  switch (event.type) {
    case 'up':
    case 'down': {
      if (view.kind !== 'list') return state;
      const step = event.type === 'up' ? -1 : 1;
      return { ...state, selected: clamp(state.selected + step, state.findings.length) };
    }
    case 'open':
      if (view.kind === 'list' && selectedFinding(state)) return { ...state, view: { kind: 'detail' } };
      if (view.kind === 'result') return { ...state, view: { kind: 'list' } };
      return state;
    case 'back':
      if (view.kind === 'detail' || view.kind === 'result') return { ...state, view: { kind: 'list' } };
      if (view.kind === 'confirm') return { ...state, view: { kind: 'detail' } };
      return state;
    case 'key': {
      if (view.kind !== 'list' && view.kind !== 'detail') return state;
      const action = selectedFinding(state)?.actions.find((a) => a.key === event.key);
      return action ? { ...state, view: { kind: 'confirm', action } } : state;
    }
    case 'answer':
      if (view.kind !== 'confirm') return state;
      return { ...state, view: event.yes ? { kind: 'running', action: view.action } : { kind: 'detail' } };
    case 'loaded': {
      // Selection follows the finding, not the row number: a rescan can reorder the list.
      const current = selectedFinding(state);
      const at = current ? event.findings.findIndex((f) => f.id === current.id && f.conn === current.conn) : -1;
      return { ...state, findings: event.findings, selected: clamp(at === -1 ? state.selected : at, event.findings.length) };
    }
    case 'done': {
      if (view.kind !== 'running') return state;
      const findings = event.findingsAfter;
      return { findings, selected: clamp(state.selected, findings.length), view: { kind: 'result', action: view.action, result: event.result } };
    }
  }
}

function clamp(index: number, length: number): number {
  return Math.max(0, Math.min(index, length - 1));
}

/**
 * Keys → events. Movement is on the arrows only: letters belong to the findings' actions
 * (k is keep-alive, r refresh …), except q, which always quits outside a running fix.
 */
export function doctorKeyEvent(state: DoctorState, input: string, key: KeyPress): DoctorEvent | 'quit' | undefined {
  const { view } = state;
  if (key.ctrl && input === 'c') return 'quit';
  if (view.kind === 'running') return undefined;
  if (view.kind === 'confirm') {
    if (input === 'y' || input === 'Y') return { type: 'answer', yes: true };
    if (input === 'n' || input === 'N' || key.escape || key.return) return { type: 'answer', yes: false };
    return undefined;
  }
  if (input === 'q') return 'quit';
  if (key.upArrow) return { type: 'up' };
  if (key.downArrow) return { type: 'down' };
  if (key.return) return { type: 'open' };
  if (key.escape || key.backspace || key.delete) return { type: 'back' };
  if (/^[a-z]$/.test(input)) return { type: 'key', key: input };
  return undefined;
}
