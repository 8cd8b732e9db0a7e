import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectedCounts, logBytes, type FuzzHome, type FuzzLine } from './hostile-log.js';
import type { BrokerRun } from './run-broker.js';
import { forbiddenChars, lineAround } from './terminal-safety.js';

// The fuzz tests' oracle (what a run over a hostile log must never do) and the minimiser that
// turns a failing home into the smallest set of log lines that still fails the same way.

export interface FuzzCommand {
  /** How the report names it: "doctor --json". */
  name: string;
  args: string[];
  /** Which JSON document stdout must be; the counted ones are checked against the lines written. */
  json?: 'doctor' | 'log' | 'status';
  /** linesRead/linesSkipped are checked: the run reads the whole log (--since all). */
  counts?: boolean;
}

export interface Problem {
  /** The same failure gives the same signature in every home: "doctor: unexpected error: …". */
  signature: string;
  /** What was seen, for the report. */
  detail: string;
}

/** Everything wrong with one run of a command over these log lines. */
export function checkRun(command: FuzzCommand, run: BrokerRun, lines: readonly FuzzLine[]): Problem[] {
  const problems: Problem[] = [];
  const add = (what: string, detail: string) => problems.push({ signature: `${command.name}: ${what}`, detail });
  const crash = /unexpected error: (.*)/.exec(run.stderr);
  if (crash) add(`unexpected error: ${normalise(crash[1] ?? '')}`, run.stderr.trim().slice(0, 300));
  if (run.code !== 0 && run.code !== 1) add(`exit ${run.code}`, run.stderr.trim().slice(0, 300));
  for (const [stream, text] of [['stdout', run.stdout], ['stderr', run.stderr]] as const) {
    const seen = new Set<string>();
    for (const bad of forbiddenChars(text)) {
      if (seen.has(bad.name)) continue;
      seen.add(bad.name);
      add(`${bad.name} (U+${bad.code.toString(16).toUpperCase().padStart(4, '0')}) on ${stream}`, lineAround(text, bad.at));
    }
  }
  if (command.json && !crash) {
    let doc: unknown;
    try {
      doc = JSON.parse(run.stdout);
    } catch (err) {
      add('stdout is not one JSON document', `${(err as Error).message}: ${JSON.stringify(run.stdout.slice(0, 200))}`);
    }
    if (doc !== undefined) problems.push(...checkDocument(command, doc, lines));
  }
  return problems;
}

function checkDocument(command: FuzzCommand, doc: unknown, lines: readonly FuzzLine[]): Problem[] {
  const problems: Problem[] = [];
  const add = (what: string, detail: string) => problems.push({ signature: `${command.name}: ${what}`, detail });
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    add('stdout is not a JSON object', JSON.stringify(doc).slice(0, 200));
    return problems;
  }
  const record = doc as Record<string, unknown>;
  const arrayField = command.json === 'doctor' ? 'findings' : command.json === 'log' ? 'events' : 'connections';
  if (!Array.isArray(record[arrayField])) add(`no "${arrayField}" array`, JSON.stringify(doc).slice(0, 200));
  if (!command.counts) return problems;
  const want = expectedCounts(lines);
  const { linesRead, linesSkipped } = record;
  if (linesRead !== want.linesRead) add('linesRead is not the number of lines written', `linesRead ${JSON.stringify(linesRead)}, ${want.linesRead} lines written`);
  if (typeof linesSkipped !== 'number' || linesSkipped < want.minSkipped) {
    add('linesSkipped misses lines that are not events', `linesSkipped ${JSON.stringify(linesSkipped)}, at least ${want.minSkipped} lines are certainly not events`);
  } else if (linesSkipped > want.maxSkipped) {
    add('linesSkipped counts valid events', `linesSkipped ${linesSkipped}, at most ${want.maxSkipped} lines can be invalid`);
  }
  return problems;
}

/** Numbers and quoted values vary between homes; the failure does not. */
function normalise(message: string): string {
  return message.replace(/\d+/g, 'N').slice(0, 160);
}

// ---------------------------------------------------------------------------------------------

/** A temporary BROKER_HOME holding a fuzz home's state.json and an events.jsonl that writeLog replaces. */
export function makeHome(root: string, home: FuzzHome): string {
  const dir = mkdtempSync(join(root, `home-${home.index}-`));
  chmodSync(dir, 0o700);
  mkdirSync(join(dir, 'logs'), { mode: 0o700 });
  writeFileSync(join(dir, 'state.json'), home.stateText, { mode: 0o600 });
  return dir;
}

/** Writes the lines as the home's events.jsonl; a line cut off at end of file keeps its missing newline. */
export function writeLog(dir: string, lines: readonly FuzzLine[]): void {
  const last = lines.at(-1);
  writeFileSync(join(dir, 'logs', 'events.jsonl'), logBytes(lines, last?.caseClass !== 'truncated-at-eof'), { mode: 0o600 });
}

/** The environment the commands run with: the home and the scenario's variables; the token store is the default, the OS keychain. */
export function fuzzEnv(dir: string, home: FuzzHome): Record<string, string> {
  return { BROKER_HOME: dir, ...home.env };
}

/**
 * One keychain entry under each home's service: the store's check then proves the keychain with one
 * search instead of a write and a delete (10 ms instead of 30 on every run). Returns the cleanup.
 */
export async function seedKeychain(homes: readonly FuzzHome[]): Promise<() => Promise<void>> {
  const keytar = await import('@napi-rs/keyring/keytar.js');
  const services = homes.map((h) => `broker:${(JSON.parse(h.stateText) as { homeId: string }).homeId}`);
  for (const service of services) await keytar.setPassword(service, '.fuzz-seed', 'not a token bundle');
  return async () => {
    for (const service of services) await keytar.deletePassword(service, '.fuzz-seed');
  };
}

/**
 * Delta debugging (Zeller's ddmin): the smallest subset of lines, 1-minimal, for which `fails`
 * still holds, within maxRuns calls. Deterministic: the same lines give the same answer.
 */
export async function minimiseLines(lines: readonly FuzzLine[], fails: (subset: FuzzLine[]) => Promise<boolean>, maxRuns: number): Promise<{ lines: FuzzLine[]; runs: number; complete: boolean }> {
  let current = [...lines];
  let granularity = 2;
  let runs = 0;
  const test = async (subset: FuzzLine[]): Promise<boolean> => {
    runs++;
    return fails(subset);
  };
  while (current.length >= 2) {
    if (runs >= maxRuns) return { lines: current, runs, complete: false };
    const size = Math.ceil(current.length / granularity);
    const chunks: FuzzLine[][] = [];
    for (let i = 0; i < current.length; i += size) chunks.push(current.slice(i, i + size));
    let reduced = false;
    for (const chunk of chunks) {
      if (runs >= maxRuns) break;
      if (await test(chunk)) {
        current = chunk;
        granularity = 2;
        reduced = true;
        break;
      }
    }
    if (!reduced && chunks.length > 2) {
      for (let i = 0; i < chunks.length; i++) {
        if (runs >= maxRuns) break;
        const complement = chunks.filter((_, j) => j !== i).flat();
        if (await test(complement)) {
          current = complement;
          granularity = Math.max(granularity - 1, 2);
          reduced = true;
          break;
        }
      }
    }
    if (!reduced) {
      if (granularity >= current.length) break;
      granularity = Math.min(current.length, granularity * 2);
    }
  }
  return { lines: current, runs, complete: runs < maxRuns };
}

/**
 * For a failure that one JSON-object line causes: the same line with every field it does not need
 * taken out, one at a time, so the report shows the few fields that matter.
 */
export async function shrinkFields(line: FuzzLine, fails: (candidate: FuzzLine) => Promise<boolean>, maxRuns: number): Promise<{ line: FuzzLine; runs: number }> {
  let record: Record<string, unknown>;
  try {
    const value: unknown = JSON.parse(line.bytes.toString('utf8'));
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { line, runs: 0 };
    record = value as Record<string, unknown>;
    // A value nested too deep to write back (the deep-nesting cases) is shown as it was.
    JSON.stringify(record);
  } catch {
    return { line, runs: 0 };
  }
  const as = (fields: Record<string, unknown>): FuzzLine => ({ bytes: Buffer.from(JSON.stringify(fields)), caseClass: line.caseClass, expect: 'either', what: `${line.what}, the fields it does not need taken out` });
  let best = line;
  let runs = 0;
  // Written back by JSON.stringify (1e999 becomes null, a raw byte U+FFFD): only if it still fails.
  if (!as(record).bytes.equals(line.bytes)) {
    runs++;
    if (!(await fails(as(record)))) return { line, runs };
    best = as(record);
  }
  for (const key of Object.keys(record)) {
    if (runs >= maxRuns) break;
    const fewer = { ...record };
    delete fewer[key];
    runs++;
    if (await fails(as(fewer))) {
      record = fewer;
      best = as(fewer);
    }
  }
  return { line: best, runs };
}

/** A line as the report shows it: JSON-quoted text when it is valid UTF-8, else base64, clipped. */
export function showLine(line: FuzzLine, max = 400): string {
  const text = line.bytes.toString('utf8');
  const shown = Buffer.from(text, 'utf8').equals(line.bytes) ? JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text) : `base64:${line.bytes.subarray(0, max).toString('base64')}${line.bytes.length > max ? '…' : ''}`;
  return `${shown}${line.bytes.length > max ? ` (${line.bytes.length} bytes)` : ''}`;
}
