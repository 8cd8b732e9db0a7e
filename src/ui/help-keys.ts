import { stripControl } from '../core/strip-control.js';
import type { AppState } from './app-state.js';
import { selectedFinding } from './doctor-state.js';
import type { KeyPress } from './key-press.js';

// Every key of the view on screen, in one table: the `?` overlay lists it, the footer shows the
// short forms that fit, and a test presses each entry's keys to prove the table tells the truth.

export interface HelpEntry {
  keys: string;
  what: string;
  /** The footer's words for it, when it earns a place there. */
  short?: string;
  /** The key presses the entry stands for (what the test sends). */
  press: Array<[string, KeyPress]>;
}

const k = (input: string, key: KeyPress = {}): [string, KeyPress] => [input, key];

const move: HelpEntry = { keys: '↑/↓', what: 'move', short: '↑/↓ move', press: [k('', { upArrow: true }), k('', { downArrow: true })] };
const page: HelpEntry = { keys: 'PgUp/PgDn', what: 'a page up or down', press: [k('', { pageUp: true }), k('', { pageDown: true })] };
const ends: HelpEntry = { keys: 'g/G', what: 'top / bottom (also Home/End)', press: [k('g'), k('G'), k('', { home: true }), k('', { end: true })] };
const scroll: HelpEntry = { keys: '↑/↓', what: 'scroll a line', short: '↑/↓ scroll', press: [k('', { upArrow: true }), k('', { downArrow: true })] };
const filter: HelpEntry = { keys: '/', what: 'filter: type, Enter keeps it, Esc clears it', short: '/ filter', press: [k('/')] };
const help: HelpEntry = { keys: '?', what: 'this help (? or Esc closes it)', short: '? help', press: [k('?')] };
const quit: HelpEntry = { keys: 'q', what: 'quit (Ctrl+C too)', short: 'q quit', press: [k('q'), k('c', { ctrl: true })] };

export function helpEntries(state: AppState): HelpEntry[] {
  if (state.view === 'status') {
    const s = state.status;
    if (s.filter.editing) return filterEntries();
    if (s.detailOpen) {
      return [
        scroll,
        page,
        ends,
        { keys: 'Esc', what: 'back to the grid (Backspace too)', short: 'esc back', press: [k('', { escape: true }), k('', { backspace: true }), k('', { delete: true })] },
        { keys: 'd', what: "the doctor: this connection's findings and runbooks", short: 'd doctor', press: [k('d')] },
        { keys: 'R', what: 're-read the state now (it also reloads every few seconds)', press: [k('R')] },
        help,
        quit,
      ];
    }
    return [
      { ...move, keys: '↑/↓ j/k', press: [...move.press, k('j'), k('k')] },
      page,
      ends,
      { keys: 'Enter', what: "the connection's details", short: 'enter details', press: [k('', { return: true })] },
      { keys: 'd', what: "the doctor: the selected connection's findings and runbooks", short: 'd doctor', press: [k('d')] },
      filter,
      ...(s.filter.query ? [{ keys: 'Esc', what: 'clear the filter', press: [k('', { escape: true })] }] : []),
      { keys: 'R', what: 're-read the state now (it also reloads every few seconds)', press: [k('R')] },
      help,
      quit,
    ];
  }
  const d = state.doctor;
  if (d.view.kind === 'confirm') {
    return [
      { keys: 'y', what: 'run it', short: 'y run', press: [k('y'), k('Y')] },
      { keys: 'n/Esc', what: 'cancel (N and Enter too): nothing runs', short: 'n/esc cancel', press: [k('n'), k('N'), k('', { escape: true }), k('', { return: true })] },
    ];
  }
  if (d.view.kind === 'running') return [{ keys: 'Ctrl+C', what: 'quit (the fix writes a remediation event and re-checks)', press: [k('c', { ctrl: true })] }];
  if (d.filter.editing) return filterEntries();
  const finding = selectedFinding(d);
  const actions: HelpEntry[] =
    finding?.state === 'active'
      ? finding.actions.map((a) => ({ keys: stripControl(a.key), what: `${stripControl(a.label)} (asks y/N)`, press: [k(a.key)] }))
      : [];
  const actionShort = actions.length > 0 ? [{ ...actions[0]!, short: `${actions.map((a) => a.keys).join('/')} fix` }, ...actions.slice(1)] : [];
  const shared: HelpEntry[] = [
    { keys: 's', what: 'the status grid', short: 's grid', press: [k('s')] },
    { keys: 'd', what: 'the findings of every connection', press: [k('d')] },
    { keys: 'R', what: 'read the lines appended to the log since', short: 'R reread', press: [k('R')] },
    help,
    quit,
  ];
  if (d.view.kind === 'detail') {
    return [
      scroll,
      page,
      ends,
      ...actionShort,
      { keys: 'Esc', what: 'back to the findings (Backspace too)', short: 'esc back', press: [k('', { escape: true }), k('', { backspace: true }), k('', { delete: true })] },
      ...shared,
    ];
  }
  return [
    move,
    page,
    ends,
    { keys: 'Enter', what: 'the whole finding: evidence and runbook', short: 'enter runbook', press: [k('', { return: true })] },
    ...actionShort,
    filter,
    ...(d.filter.query || d.outcome ? [{ keys: 'Esc', what: d.outcome ? "dismiss the last fix's result" : 'clear the filter', press: [k('', { escape: true })] }] : []),
    ...shared,
  ];
}

function filterEntries(): HelpEntry[] {
  return [
    { keys: 'type', what: 'narrow the rows (name, id, summary)', press: [k('x')] },
    { keys: 'Enter', what: 'keep the filter', short: 'enter keep', press: [k('', { return: true })] },
    { keys: 'Esc', what: 'clear the filter', short: 'esc clear', press: [k('', { escape: true })] },
    { keys: 'Backspace', what: 'erase a character', press: [k('', { backspace: true })] },
    { ...move, short: undefined },
  ];
}

/** The footer: the short forms, cut from the middle so "? help · q quit" always stays. */
export function footerText(entries: readonly HelpEntry[], width: number): string {
  const hints = entries.flatMap((e) => (e.short ? [e.short] : []));
  const tail: string[] = hints.filter((h) => h === '? help' || h === 'q quit');
  const head = hints.filter((h) => !tail.includes(h));
  while (head.length > 0 && [...head, ...tail].join(' · ').length > width) head.pop();
  return [...head, ...tail].join(' · ');
}
