import { useInput } from 'ink';
import { useCallback, useEffect, useMemo, useReducer, useRef, type ReactElement } from 'react';
import { exitCodes } from '../../core/exit-codes.js';
import { isFailing, type Finding } from '../../core/findings.js';
import { toStatusReport } from '../../core/health-rows.js';
import { appKeyEvent, appReducer, initialAppState, type AppEvent, type AppView, type Geometry } from '../app-state.js';
import { initialDoctorState, type DoctorEvent } from '../doctor-state.js';
import { helpEntries } from '../help-keys.js';
import { typedKeys, type KeyPress } from '../key-press.js';
import { useActionRunner } from '../hooks/use-action-runner.js';
import { useDoctorScan } from '../hooks/use-doctor-scan.js';
import { useNow } from '../hooks/use-now.js';
import { useStatusSnapshot } from '../hooks/use-status-snapshot.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import { initialStatusState, statusRowKeys } from '../status-state.js';
import { DoctorScreen, type DoctorSource } from './DoctorScreen.js';
import { StatusScreen, type StatusSource } from './StatusScreen.js';

export interface AppProps {
  /** The view it opens on: `broker status` the grid, `broker doctor` the findings. */
  start: AppView;
  status: StatusSource;
  doctor: DoctorSource;
  /** Read on every tick, so relative times count down live. */
  clock: () => Date;
  /** Called once, with the exit code the piped command of the view on screen would give. */
  onDone: (exitCode: number) => void;
  tickMs?: number;
  /** Lines under the title of both views (the demo says where its providers are and how to sign in). */
  notice?: string[];
}

/**
 * `broker status` and `broker doctor` as two views of one app: `d` on a connection opens its
 * findings, `s` goes back to the grid. The grid re-reads the state every few seconds while it is
 * on screen; the doctor reads the log through `scan` whenever its view opens, and on R.
 */
export function App({ start, status, doctor, clock, onDone, tickMs = 1000, notice = [] }: AppProps): ReactElement {
  const [state, dispatchState] = useReducer(appReducer, start, (view) => {
    const rows = status.snapshot ? toStatusReport(status.snapshot, clock()).rows : [];
    return { ...initialAppState(view), status: initialStatusState(statusRowKeys(rows)), doctor: initialDoctorState() };
  });
  // Keys arrive faster than frames (a paste, a fast typist): each is read against the state the
  // keys before it made, not the state of the last frame, so none is lost.
  const latest = useRef(state);
  const dispatch = useCallback((event: AppEvent) => {
    latest.current = appReducer(latest.current, event);
    dispatchState(event);
  }, []);
  const size = useTerminalSize();
  const [now] = useNow(clock, tickMs);
  const geometry = useRef<Geometry>({ page: 1, detailLines: 0 });

  const grid = useStatusSnapshot(status.load, status.snapshot, state.view === 'status', status.reloadMs ?? 5000);
  const statusReport = useMemo(() => (grid.snapshot ? toStatusReport(grid.snapshot, now) : null), [grid.snapshot, now]);
  const rowKeys = statusReport ? statusRowKeys(statusReport.rows) : [];
  const rowsSignature = JSON.stringify(rowKeys);
  useEffect(() => dispatch({ type: 'status', action: { type: 'rows', rows: JSON.parse(rowsSignature) } }), [rowsSignature, dispatch]);

  const toDoctor = useCallback((event: DoctorEvent) => dispatch({ type: 'doctor', event }), [dispatch]);
  const onLoaded = useCallback((findings: Finding[]) => toDoctor({ type: 'loaded', findings }), [toDoctor]);
  const scan = useDoctorScan(doctor.scan, onLoaded);
  const { rescan } = scan;
  useEffect(() => {
    if (state.view === 'doctor') rescan();
  }, [state.view, rescan]);
  const runner = useActionRunner(state.doctor, doctor.runAction, toDoctor);

  const exitCode = (): number => {
    const now = latest.current;
    const doctorCode = now.doctor.findings.some(isFailing) || scan.problem !== null ? exitCodes.failed : exitCodes.ok;
    if (now.view === 'doctor') return doctorCode;
    return statusReport?.exitCode ?? doctorCode;
  };

  const press = (input: string, key: KeyPress) => {
    // A running fix that asks for a secret gets every key until it is answered.
    if (runner.answerKey(input, key)) return;
    const command = appKeyEvent(latest.current, input, key, geometry.current);
    if (!command) return;
    if (command.type === 'quit') onDone(exitCode());
    else if (command.type === 'rescan') rescan();
    else if (command.type === 'reload') grid.reload();
    else dispatch(command);
  };
  useInput((input, key) => {
    // Esc and the next key close together (a quick hand, tmux's escape-time) arrive as one Alt+key: nothing here uses Alt, so it is both.
    if (key.meta && !key.escape && /^[\x20-\x7e]$/.test(input)) {
      press('', { escape: true });
      press(input, { ...key, meta: false });
    } else for (const [typed, pressed] of typedKeys(input, key)) press(typed, pressed);
  });

  const keys = helpEntries(state);
  return state.view === 'status' ? (
    <StatusScreen state={state.status} report={statusReport} now={now} reloadProblem={grid.problem} keys={keys} helpOpen={state.help} size={size} geometry={geometry} notice={notice} />
  ) : (
    <DoctorScreen state={state.doctor} scan={scan} output={runner.output} asking={runner.asking} runbook={doctor.runbook} keys={keys} helpOpen={state.help} size={size} geometry={geometry} notice={notice} />
  );
}
