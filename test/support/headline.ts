import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { startLocalProviders, type LocalProviders } from '../../src/adapters/local-providers.js';
import { makeDemoHome, type DemoHome } from '../../src/commands/demo/demo-home.js';
import type { CauseFailure, CausedFailure } from '../../src/commands/demo/headline-failures.js';
import { runBroker } from './run-broker.js';
import { Terminal } from './tmux-terminal.js';

// One headline failure caused for real against the demo's local providers (the demo's own setup
// code), then `broker doctor` in an 80×24 pseudo-terminal: what the test presses is recorded, and how
// long it took from the first screen to the re-check's "gone", for the closing note.

export const size = { columns: 80, rows: 24 };

/** The local providers for the whole test file. */
export function localProvidersForFile(): () => LocalProviders {
  let providers: LocalProviders | undefined;
  before(async () => {
    providers = await startLocalProviders();
  });
  after(() => providers?.close());
  return () => {
    assert.ok(providers, 'the providers start before the tests');
    return providers;
  };
}

export interface HeadlineSession {
  demo: DemoHome;
  caused: CausedFailure;
  term: Terminal;
  /** The screen the doctor opened on. */
  first: string;
  /** Sends one key (as tmux names it) and records it. */
  press(key: string): void;
  /** Types text literally (a secret: recorded as what it is, never as its value). */
  type(text: string, recordAs: string): void;
  /** The keys pressed so far. */
  keys: string[];
  /** Seconds since the first screen. */
  seconds(): number;
}

/** Causes the failure in a fresh demo home and opens `broker doctor` on it in a terminal. */
export async function openDoctorOn(providers: LocalProviders, cause: CauseFailure, firstScreen: (screen: string) => boolean): Promise<HeadlineSession> {
  const demo = makeDemoHome(providers, process.env);
  after(() => demo.remove());
  const caused = await cause(demo);
  const term = new Terminal(demo.root, size, { BROKER_STORE: 'file', BROKER_PASSPHRASE: String(demo.env.BROKER_PASSPHRASE) });
  after(() => term.kill());
  term.start(['doctor']);
  const first = await term.waitForScreen(firstScreen, `the doctor's first screen naming ${caused.id} on ${caused.conn}`);
  assertFits(first);
  const started = Date.now();
  const keys: string[] = [];
  return {
    demo,
    caused,
    term,
    first,
    keys,
    press: (key) => {
      keys.push(key);
      term.tmux('send-keys', key);
    },
    type: (text, recordAs) => {
      keys.push(recordAs);
      term.tmux('send-keys', '-l', text);
    },
    seconds: () => (Date.now() - started) / 1000,
  };
}

export function assertFits(screen: string): void {
  const lines = screen.replace(/\n$/, '').split('\n');
  assert.ok(lines.length <= size.rows, `${lines.length} lines`);
  for (const line of lines) assert.ok([...line].length <= size.columns, `wider than ${size.columns}: "${line}"`);
}

/** After the fix: q leaves the doctor with 0, and a piped `broker doctor` on the home exits 0 too. */
export async function assertHealthyAfter(session: HeadlineSession): Promise<void> {
  session.term.tmux('send-keys', 'q');
  assert.equal(await session.term.waitForExit(), 0, 'the doctor view exits 0 once nothing failing is left');
  const doctor = await runBroker(['doctor'], { env: session.demo.env });
  assert.equal(doctor.code, 0, doctor.stdout + doctor.stderr);
  assert.match(doctor.stdout, /^Resolved in the window/m);
}

/** The line the lead quotes: which keys, and how many seconds from the first screen to "gone". */
export function recordHeadline(session: HeadlineSession, seconds: number, note = ''): void {
  process.stdout.write(`# headline ${session.caused.id} (${session.caused.conn}): keys ${session.keys.join(' ')}${note ? ` (${note})` : ''} · ${seconds.toFixed(1)} s from the first screen to "the finding is gone"\n`);
}

/** The user code of a device login, read from the fix's box. */
export function deviceCodeOn(screen: string): string {
  const code = /enter the code ([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(screen)?.[1];
  assert.ok(code, `no device code on the screen:\n${screen}`);
  return code;
}

/** The fix's box as one line of text (its wrapped lines joined), for matching what it says. */
export function boxText(screen: string): string {
  return screen
    .split('\n')
    .filter((line) => line.startsWith('│'))
    .map((line) => line.replace(/^│\s?/, '').replace(/\s*│$/, '').trim())
    .join(' ');
}
