import { checkpointKey, readCheckpoint, writeCheckpoint } from '../adapters/diagnosis-checkpoint.js';
import { streamEvents, type EventLogSummary, type LogFile, type ReadStart } from '../adapters/event-log-reader.js';
import { foldCode, startDiagnosis, type Diagnosis, type DiagnosisRun } from '../core/diagnose.js';
import type { StoreStatus } from '../core/findings.js';
import { StoreUnavailableError } from '../adapters/store.js';
import type { Connection } from '../core/state-schema.js';
import type { Deps } from './deps.js';

export interface DiagnosisWindow {
  since: Date | null;
  until: Date;
  conn?: string;
}

type LineCounts = Pick<EventLogSummary, 'linesRead' | 'linesSkipped' | 'skipReasons'>;

/** The fold after a read, and where in the live file it stopped: what `readOn` continues from. */
export interface Reached {
  run: DiagnosisRun;
  connections: Connection[];
  live?: { file: LogFile; offset: number; lines: number };
  /** The shared event table (postgres): the highest row id read. */
  lastRow?: number;
  counts: LineCounts;
  since: Date | null;
}

export interface HomeDiagnosis extends Diagnosis, LineCounts {
  connections: Connection[];
  store: StoreStatus;
  window: DiagnosisWindow;
  /** Rotated files whose fold state came from the checkpoint instead of being read. */
  filesFromCheckpoint: number;
  reached: Reached;
}

export interface DiagnoseOptions {
  onProgress?(bytesRead: number, bytesTotal: number, linesRead: number): void;
}

/**
 * The diagnosis of a home: state, the token store's status, and every event in the window folded
 * through the rules as it is read, so memory does not grow with the log. Over the whole log, the
 * fold state after the rotated files is checkpointed, so a rerun reads only the live file.
 */
export async function diagnoseHome(deps: Deps, window: DiagnosisWindow, options: DiagnoseOptions = {}): Promise<HomeDiagnosis> {
  await deps.store.load();
  if (deps.store.eventTable) return diagnoseTable(deps, window, options);
  const connections = connectionsOf(deps, window);
  let run = startDiagnosis(connections);
  const counts: LineCounts = { linesRead: 0, linesSkipped: 0, skipReasons: {} };
  let fromCheckpoint = 0;
  let key: string | undefined;
  let lastRotated: LogFile | undefined;
  let live: Reached['live'];
  const read = await streamEvents(deps.paths, window, (logged) => run.observe(logged), {
    onProgress: options.onProgress,
    startAt(files): ReadStart | undefined {
      const rotated = files.filter((f) => !f.live);
      // Only a whole-log read folds every line of every rotated file, which is what a checkpoint holds.
      if (window.since !== null || rotated.length === 0) return undefined;
      key = checkpointKey({ rotated, connections, conn: window.conn, code: foldCode });
      const saved = readCheckpoint(deps.paths, key);
      if (!saved) {
        lastRotated = rotated.at(-1);
        return undefined;
      }
      run = startDiagnosis(connections, { resume: saved.state });
      addCounts(counts, saved);
      fromCheckpoint = rotated.length;
      return { file: rotated.length, offset: 0, lines: 0 };
    },
    onFileRead(file, end, sofar) {
      if (file.live) live = { file, ...end };
      if (file === lastRotated && key !== undefined) writeCheckpoint(deps.paths, key, { state: run.state(), ...copyCounts(sofar) });
    },
  });
  addCounts(counts, read);
  return { ...(await finishReached(deps, { run, connections, live, counts, since: window.since }, window)), filesFromCheckpoint: fromCheckpoint };
}

/**
 * Reads on from where an earlier diagnosis stopped (what was appended to the live file since) and
 * finishes again: the doctor's `R` and the re-check after a fix. When the live file was rotated, or
 * the connections changed, it reads the home again from the top.
 */
export async function readOn(deps: Deps, reached: Reached, window: DiagnosisWindow, options: DiagnoseOptions = {}): Promise<HomeDiagnosis> {
  await deps.store.load();
  const table = deps.store.eventTable;
  const connections = table ? connectionsOrNone(deps, window) : connectionsOf(deps, window);
  if (table) {
    if (reached.lastRow === undefined || reached.since !== window.since || !sameConnections(connections, reached.connections)) return diagnoseTable(deps, window, options);
    const read = await table.stream(window, (logged) => reached.run.observe(logged), { afterId: reached.lastRow, onProgress: rowsProgress(options) });
    const counts = { ...reached.counts, skipReasons: { ...reached.counts.skipReasons } };
    addCounts(counts, read);
    return { ...(await finishReached(deps, { ...reached, connections, lastRow: read.lastId, counts }, window)), filesFromCheckpoint: 0 };
  }
  if (!reached.live || reached.since !== window.since || !sameConnections(connections, reached.connections)) return diagnoseHome(deps, window, options);
  const from = reached.live;
  let found = false;
  let live = from;
  const read = await streamEvents(deps.paths, window, (logged) => reached.run.observe(logged), {
    onProgress: options.onProgress,
    startAt(files) {
      const at = files.findIndex((f) => f.live && f.dev === from.file.dev && f.ino === from.file.ino && f.size >= from.offset);
      found = at !== -1;
      // Rotated meanwhile: nothing is read here, and the home is read again below.
      return found ? { file: at, offset: from.offset, lines: from.lines } : { file: files.length, offset: 0, lines: 0 };
    },
    onFileRead(file, end) {
      if (file.live) live = { file, ...end };
    },
  });
  if (!found) return diagnoseHome(deps, window, options);
  const counts = { ...reached.counts, skipReasons: { ...reached.counts.skipReasons } };
  addCounts(counts, read);
  return { ...(await finishReached(deps, { ...reached, connections, live, counts }, window)), filesFromCheckpoint: 0 };
}

/**
 * The shared event table (postgres): the window's rows in time order, through the same fold. No
 * checkpoint: the window is read by its index, and a re-read continues after the last row id.
 * A database that cannot be reached yields no connections and no events, and the store's status
 * says why (the store-unavailable finding).
 */
async function diagnoseTable(deps: Deps, window: DiagnosisWindow, options: DiagnoseOptions): Promise<HomeDiagnosis> {
  const connections = connectionsOrNone(deps, window);
  const run = startDiagnosis(connections);
  const counts: LineCounts = { linesRead: 0, linesSkipped: 0, skipReasons: {} };
  let lastRow: number | undefined;
  if (!storeUnavailable(deps)) {
    try {
      const read = await deps.store.eventTable!.stream(window, (logged) => run.observe(logged), { onProgress: rowsProgress(options) });
      addCounts(counts, read);
      lastRow = read.lastId;
    } catch (err) {
      // The database went away after the connections were read: the store's status says so at finish.
      if (!(err instanceof StoreUnavailableError)) throw err;
    }
  }
  return { ...(await finishReached(deps, { run, connections, lastRow, counts, since: window.since }, window)), filesFromCheckpoint: 0 };
}

/** Progress over rows: there are no bytes to count, so only the lines are told. */
function rowsProgress(options: DiagnoseOptions): ((rows: number) => void) | undefined {
  const onProgress = options.onProgress;
  return onProgress && ((rows) => onProgress(0, 0, rows));
}

function storeUnavailable(deps: Deps): boolean {
  try {
    deps.state().list();
    return false;
  } catch (err) {
    if (err instanceof StoreUnavailableError) return true;
    throw err;
  }
}

/** The connections, or none when the store itself cannot be read (the finish names the store). */
function connectionsOrNone(deps: Deps, window: DiagnosisWindow): Connection[] {
  return storeUnavailable(deps) ? [] : connectionsOf(deps, window);
}

function sameConnections(a: readonly Connection[], b: readonly Connection[]): boolean {
  return a.length === b.length && a.every((c, i) => c.name === b[i]?.name && c.provider === b[i]?.provider);
}

async function finishReached(deps: Deps, reached: Reached, window: DiagnosisWindow): Promise<Omit<HomeDiagnosis, 'filesFromCheckpoint'>> {
  const store = await deps.tokens().status();
  const diagnosis = reached.run.finish({ connections: reached.connections, now: window.until, env: deps.env, store });
  return { ...diagnosis, ...reached.counts, connections: reached.connections, store, window, reached };
}

function connectionsOf(deps: Deps, window: DiagnosisWindow): Connection[] {
  return deps.state().list().filter((c) => window.conn === undefined || c.name === window.conn);
}

function addCounts(into: LineCounts, more: LineCounts): void {
  into.linesRead += more.linesRead;
  into.linesSkipped += more.linesSkipped;
  for (const [reason, n] of Object.entries(more.skipReasons)) into.skipReasons[reason] = (into.skipReasons[reason] ?? 0) + n;
}

function copyCounts(counts: LineCounts): LineCounts {
  return { linesRead: counts.linesRead, linesSkipped: counts.linesSkipped, skipReasons: { ...counts.skipReasons } };
}
