import type { ActionRef, Finding } from '../core/findings.js';
import { filterKeyEvent, filterReducer, matchesQuery, noFilter, type FilterEvent, type FilterState } from './filter-state.js';
import { isReservedKey, type KeyPress } from './key-press.js';
import { moveCursor, movementOf, scrollTop, type Movement } from './viewport.js';

// The interactive doctor's state, apart from input and view (STYLE 7): tested without Ink.

export interface ActionResultView {
  ok: boolean;
  detail: string;
  held: boolean;
  /** The action only showed what to change: the finding is expected to stay. */
  showOnly?: boolean;
  output?: string;
}

export type DoctorView =
  | { kind: 'list' }
  | { kind: 'detail' }
  | { kind: 'confirm'; action: ActionRef; from: 'list' | 'detail' }
  | { kind: 'running'; action: ActionRef; from: 'list' | 'detail' };

/** What the last action did, shown above the list or the runbook until the next view change. */
export interface ActionOutcome {
  action: ActionRef;
  finding: { id: string; conn: string | null; title?: string };
  result: ActionResultView;
  /** The action threw: no re-check ran. */
  crashed?: boolean;
}

export interface DoctorState {
  findings: Finding[];
  /** The selected finding by identity (findingKey), so a rescan, a fix or a filter never moves the cursor onto another one. */
  selected: string | null;
  view: DoctorView;
  /** Only this connection's findings (`d` on a row of the grid); null: all. */
  conn: string | null;
  filter: FilterState;
  /** The first line of the detail on screen. */
  detailTop: number;
  outcome: ActionOutcome | null;
}

export type DoctorEvent =
  /** `page` is the viewport's height; `total` the detail's line count (the list knows its own). */
  | { type: 'move'; movement: Movement; page: number; total?: number }
  | { type: 'open' }
  | { type: 'back' }
  /** A letter pressed in the list or the detail view: an action key of the selected finding. */
  | { type: 'key'; key: string }
  | { type: 'answer'; yes: boolean }
  | { type: 'done'; result: ActionResultView; findingsAfter: Finding[] }
  /** The action threw instead of reporting: the findings stay as they were. */
  | { type: 'failed'; message: string }
  /** A scan of the log finished (the first, or R). */
  | { type: 'loaded'; findings: Finding[] }
  | { type: 'filter'; event: FilterEvent }
  | { type: 'conn'; conn: string | null };

export function findingKey(f: Finding): string {
  return `${f.state}\u0000${f.id}\u0000${f.conn ?? ''}\u0000${f.subject ?? ''}`;
}

/** Active findings first, then resolved ones (as the report orders them), keeping the report's order within each. */
function ordered(findings: readonly Finding[]): Finding[] {
  return [...findings.filter((f) => f.state === 'active'), ...findings.filter((f) => f.state !== 'active')];
}

export function initialDoctorState(findings: Finding[] = [], conn: string | null = null): DoctorState {
  const state: DoctorState = { findings: ordered(findings), selected: null, view: { kind: 'list' }, conn, filter: noFilter, detailTop: 0, outcome: null };
  return { ...state, selected: firstKey(state) };
}

/** The rows the list shows: this connection's (when one is chosen), matching the filter. */
export function visibleFindings(state: Pick<DoctorState, 'findings' | 'conn' | 'filter'>): Finding[] {
  return state.findings.filter((f) => (state.conn === null || f.conn === state.conn) && matchesQuery([f.id, f.title, f.conn, f.summary, f.severity], state.filter.query));
}

export function selectedIndex(state: DoctorState): number {
  return visibleFindings(state).findIndex((f) => findingKey(f) === state.selected);
}

export function selectedFinding(state: DoctorState): Finding | undefined {
  return visibleFindings(state)[selectedIndex(state)];
}

export function doctorReducer(state: DoctorState, event: DoctorEvent): DoctorState {
  const { view } = state;
  switch (event.type) {
    case 'move': {
      if (view.kind === 'list') {
        const rows = visibleFindings(state);
        const next = rows[moveCursor(Math.max(0, selectedIndex(state)), event.movement, rows.length, event.page)];
        return next ? { ...state, selected: findingKey(next) } : state;
      }
      if (view.kind === 'detail') return { ...state, detailTop: scrollTop(state.detailTop, event.movement, event.total ?? 0, event.page) };
      return state;
    }
    case 'open':
      if (view.kind === 'list' && selectedFinding(state)) return { ...state, view: { kind: 'detail' }, detailTop: 0, outcome: null };
      return state;
    case 'back':
      if (view.kind === 'detail') return { ...state, view: { kind: 'list' }, outcome: null };
      if (view.kind === 'confirm') return { ...state, view: { kind: view.from } };
      if (view.kind === 'list' && state.outcome) return { ...state, outcome: null };
      if (view.kind === 'list' && state.filter.query !== '') return reselect(state, { ...state, filter: noFilter });
      return state;
    case 'key': {
      if (view.kind !== 'list' && view.kind !== 'detail') return state;
      const finding = selectedFinding(state);
      // Resolved findings are history: nothing to run. A reserved key never runs anything, whatever a runbook says.
      if (!finding || finding.state !== 'active' || isReservedKey(event.key)) return state;
      const action = finding.actions.find((a) => a.key === event.key);
      return action ? { ...state, view: { kind: 'confirm', action, from: view.kind }, outcome: null } : state;
    }
    case 'answer':
      if (view.kind !== 'confirm') return state;
      return { ...state, view: event.yes ? { kind: 'running', action: view.action, from: view.from } : { kind: view.from } };
    case 'loaded':
      return reselect(state, { ...state, findings: ordered(event.findings) });
    case 'done':
    case 'failed': {
      if (view.kind !== 'running') return state;
      const finding = selectedFinding(state);
      const result = event.type === 'done' ? event.result : { ok: false, held: false, detail: event.message };
      const outcome: ActionOutcome = { action: view.action, finding: { id: finding?.id ?? '', conn: finding?.conn ?? null, title: finding?.title }, result, ...(event.type === 'failed' ? { crashed: true } : {}) };
      // A failed run keeps every finding as it was; a finished one shows the re-check's findings.
      const next = reselect(state, { ...state, findings: event.type === 'done' ? ordered(event.findingsAfter) : state.findings, outcome });
      const stillThere = next.selected === state.selected;
      return { ...next, view: { kind: view.from === 'detail' && stillThere ? 'detail' : 'list' } };
    }
    case 'filter': {
      if (view.kind !== 'list') return state;
      return reselect(state, { ...state, filter: filterReducer(state.filter, event.event) });
    }
    case 'conn':
      return reselect(state, { ...state, conn: event.conn, filter: noFilter, view: { kind: 'list' }, outcome: null });
  }
}

/**
 * After the rows changed: keep the selected finding if it is still shown, else the row that took
 * its place (a fixed finding's neighbour), else the first.
 */
function reselect(before: DoctorState, after: DoctorState): DoctorState {
  const rows = visibleFindings(after);
  if (rows.some((f) => findingKey(f) === before.selected)) return after;
  const at = selectedIndex(before);
  const fallback = rows[Math.min(Math.max(0, at), rows.length - 1)];
  return { ...after, selected: fallback ? findingKey(fallback) : null, view: after.view.kind === 'detail' && !fallback ? { kind: 'list' } : after.view };
}

function firstKey(state: DoctorState): string | null {
  const first = visibleFindings(state)[0];
  return first ? findingKey(first) : null;
}

/** True while keys belong to the doctor alone: the y/N, a running fix, or the filter being typed. */
export function doctorHoldsKeys(state: DoctorState): boolean {
  return state.view.kind === 'confirm' || state.view.kind === 'running' || state.filter.editing;
}

export interface DoctorGeometry {
  /** Rows the viewport shows. */
  page: number;
  /** Lines of the open detail. */
  detailLines: number;
}

/**
 * Keys → events. Movement is ↑/↓, PgUp/PgDn, g/G: other letters belong to the findings'
 * actions (k is keep-alive, r refresh …). The y/N takes only y as yes; n, N, Esc and Enter
 * cancel. Keys the whole app shares (q, ?, s, d, R) are read by appKeyEvent before these.
 */
export function doctorKeyEvent(state: DoctorState, input: string, key: KeyPress, geometry: DoctorGeometry): DoctorEvent | undefined {
  const { view } = state;
  if (view.kind === 'running') return undefined;
  if (view.kind === 'confirm') {
    if (input === 'y' || input === 'Y') return { type: 'answer', yes: true };
    if (input === 'n' || input === 'N' || key.escape || key.return) return { type: 'answer', yes: false };
    return undefined;
  }
  // While the filter is typed, letters (g and G too) go to the query; the arrows still move.
  const movement = movementOf(state.filter.editing ? '' : input, key);
  if (movement) return { type: 'move', movement, page: geometry.page, total: geometry.detailLines };
  if (state.filter.editing) {
    const event = filterKeyEvent(input, key);
    return event ? { type: 'filter', event } : undefined;
  }
  if (key.return) return { type: 'open' };
  if (key.escape || key.backspace || key.delete) return { type: 'back' };
  if (input === '/' && view.kind === 'list') return { type: 'filter', event: { type: 'start' } };
  if (/^[a-z]$/.test(input) && !isReservedKey(input)) return { type: 'key', key: input };
  return undefined;
}
