import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { format } from 'node:util';
import { capturedIo } from '../support/captured-io.js';
import { fuzzEnv, makeHome, seedKeychain, writeLog } from '../support/fuzz-checks.js';
import { fuzzNow, generateFuzzHomes, type FuzzHome } from '../support/hostile-log.js';
import { formatSeed, fuzzSeed, seededRandom } from '../support/seeded-random.js';
import { tempHome } from '../support/temp-home.js';
import { forbiddenChars, lineAround } from '../support/terminal-safety.js';
import { waitForFrame } from '../support/wait-for-frame.js';
import { renderSized } from '../support/sized-render.js';

// The fuzz test's TUI half: the doctor and status screens rendered over reports built from hostile
// logs (escape sequences in every string field of every event kind, and junk lines), each finding's
// detail and each connection's detail opened in turn. Colours are off, so Ink writes no escape of
// its own into a frame: any ESC, C1 control, bidi override or C0 control left is the log's.

// Before chalk (through Ink) reads the environment; Ink renders only the last frame when it thinks it runs in CI.
process.env.FORCE_COLOR = '0';
delete process.env.CI;
delete process.env.CONTINUOUS_INTEGRATION;
const { render } = await import('ink-testing-library');
const { Text } = await import('ink');
const { App } = await import('../../src/ui/screens/App.js');
const { createDeps } = await import('../../src/commands/deps.js');
const { diagnoseHome } = await import('../../src/commands/diagnose-home.js');
const { loadStatusSnapshot } = await import('../../src/commands/status.js');
const { toDoctorReport } = await import('../../src/core/doctor-report.js');
const { toStatusReport } = await import('../../src/core/health-rows.js');
const { withRunbook } = await import('../../src/core/runbook.js');
const { readRunbooks } = await import('../../src/adapters/runbook-files.js');

const seed = fuzzSeed(0x0b5e55ed);
// Escape sequences only (the wrong types are the commands test's): here the report must build, so the frames can be read.
const homes = generateFuzzHomes(seededRandom(seed).fork('tui'), { wrongTypes: false, injectionRate: 0.5 });
const now = new Date(fuzzNow);
const keys = { down: '\u001B[B', enter: '\r', escape: '\u001B' };
// Tall enough that a finding's detail shows its heading and the footer together.
const size = { columns: 120, rows: 60 };

interface Leak {
  where: string;
  what: string;
}

function leaksIn(frame: string, where: string): Leak[] {
  const seen = new Set<string>();
  return forbiddenChars(frame).flatMap((bad) => {
    if (seen.has(bad.name)) return [];
    seen.add(bad.name);
    return [{ where, what: `${bad.name} (U+${bad.code.toString(16).toUpperCase().padStart(4, '0')}): ${lineAround(frame, bad.at)}` }];
  });
}

async function reportsFor(home: FuzzHome, dir: string) {
  const deps = createDeps({ io: capturedIo(), env: fuzzEnv(dir, home), home: dir, mode: 'tty', now: () => now });
  // What `broker doctor --since all` builds before it renders (src/commands/doctor.ts).
  const diagnosed = await diagnoseHome(deps, { since: null, until: now });
  const runbooks = readRunbooks([...new Set(diagnosed.findings.map((f) => f.id))]);
  const findings = diagnosed.findings.map((f) => withRunbook(f, runbooks.get(f.id)));
  const doctor = toDoctorReport({ ...diagnosed, findings, since: null, until: now });
  const snapshot = await loadStatusSnapshot(deps, undefined);
  return { doctor, runbooks, snapshot };
}

describe('fuzz: the doctor and status screens over hostile logs', () => {
  let unseed: () => Promise<void> = async () => {};
  before(async () => (unseed = await seedKeychain(homes)));
  after(() => unseed());

  it('frames carry a log escape sequence through when nothing strips it, and have no escape of their own with colours off', async () => {
    const plain = render(<Text color="red" bold inverse>coloured</Text>);
    const raw = render(<Text>{'path \u001b]52;c;eA==\u0007 \u202eexe \u009b31m'}</Text>);
    try {
      await waitForFrame(plain.lastFrame, (f) => f.includes('coloured'), 'the coloured text');
      assert.deepEqual(leaksIn(plain.lastFrame() ?? '', 'plain'), [], 'Ink wrote an escape of its own with FORCE_COLOR=0');
      await waitForFrame(raw.lastFrame, (f) => f.includes('exe'), 'the raw text');
      const names = leaksIn(raw.lastFrame() ?? '', 'raw').map((l) => l.what.split(' ')[0]);
      assert.ok(names.includes('ESC') && names.includes('bidi') && names.includes('C1'), `the check misses what the frame carries: ${names.join(', ')}`);
    } finally {
      plain.unmount();
      raw.unmount();
    }
  });

  it('no escape byte from the log reaches a doctor or status frame (the lists, every finding, every connection), and React never warns', { timeout: 120_000 }, async (t) => {
    const root = tempHome('broker-fuzz-tui-');
    const leaks: Leak[] = [];
    let frames = 0;
    let findingsSeen = 0;
    // React's warnings go to console.error, which in the real TUI (patchConsole off) lands on the terminal mid-frame.
    const warnings = new Map<string, string>();
    const consoleError = console.error;
    let rendering = '';
    console.error = (...args: unknown[]) => {
      const text = format(...args);
      const first = text.split('\n')[0]!;
      if (!warnings.has(first)) warnings.set(first, `${rendering}: ${first}`);
    };
    after(() => (console.error = consoleError));
    for (const home of homes) {
      const dir = makeHome(root, home);
      writeLog(dir, home.lines);
      const where = (view: string) => `home ${home.index} (${home.scenario}) ${view}`;
      const { doctor, runbooks, snapshot } = await reportsFor(home, dir);
      rendering = where('doctor');

      const app = await renderSized(
        <App
          start="doctor"
          status={{ load: async () => snapshot, snapshot }}
          doctor={{ scan: async () => doctor, runbook: (id) => runbooks.get(id), runAction: () => Promise.reject(new Error('the fuzz test runs no action')) }}
          clock={() => now}
          onDone={() => {}}
        />,
        size,
      );
      try {
        const list = (f: string) => f.includes('log lines read') && f.includes('q quit') && !f.includes('esc back');
        await waitForFrame(app.lastFrame, list, `${where('doctor')}: the findings list`);
        leaks.push(...leaksIn(app.lastFrame() ?? '', where('doctor list')));
        frames++;
        // The list orders findings its own way (active, then resolved): visit each row, then check every finding was seen.
        const visited: string[] = [];
        for (let i = 0; i < doctor.findings.length; i++) {
          if (i > 0) app.stdin.write(keys.down);
          app.stdin.write(keys.enter);
          const detail = await waitForFrame(app.lastFrame, (f) => f.includes('esc back') && /\[[a-z-]+\]/.test(f.split('\n').slice(0, 6).join('\n')), `${where('doctor')}: the detail of row ${i + 1}`);
          const id = /\[([a-z-]+)\]/.exec(detail.split('\n').slice(0, 6).join('\n'))![1]!;
          visited.push(id);
          leaks.push(...leaksIn(app.lastFrame() ?? '', where(`doctor detail of row ${i + 1} (${id})`)));
          app.stdin.write(keys.escape);
          await waitForFrame(app.lastFrame, list, `${where('doctor')}: the list after row ${i + 1}`);
          frames++;
          findingsSeen++;
        }
        assert.deepEqual(visited.sort(), doctor.findings.map((f) => f.id).sort(), `${where('doctor')}: every finding's detail was opened`);
        // The same findings seen from the grid: s, then each connection's detail.
        rendering = where('status');
        app.stdin.write('s');
        const rows = toStatusReport(snapshot, now).rows;
        const grid = (f: string) => f.includes('broker status') && f.includes('q quit') && !f.includes('esc back');
        await waitForFrame(app.lastFrame, grid, `${where('status')}: the grid`);
        leaks.push(...leaksIn(app.lastFrame() ?? '', where('status grid')));
        frames++;
        for (const [i, row] of rows.entries()) {
          if (i > 0) app.stdin.write(keys.down);
          app.stdin.write(keys.enter);
          await waitForFrame(app.lastFrame, (f) => f.includes('esc back') && f.includes(row.name), `${where('status')}: the detail of ${row.name}`);
          leaks.push(...leaksIn(app.lastFrame() ?? '', where(`status detail of ${row.name}`)));
          app.stdin.write(keys.escape);
          await waitForFrame(app.lastFrame, grid, `${where('status')}: the grid after ${row.name}`);
          frames++;
        }
      } finally {
        app.unmount();
      }
    }
    const cases = homes.reduce((n, h) => n + h.lines.filter((l) => l.caseClass !== null).length, 0);
    t.diagnostic(`fuzz seed ${formatSeed(seed)}: ${cases} hostile lines in ${homes.length} homes; ${frames} frames checked (${findingsSeen} finding details)`);
    console.error = consoleError;
    assert.ok(findingsSeen > 0, 'no finding was rendered: the hostile logs no longer make rules fire');
    const out: string[] = [];
    if (leaks.length > 0) out.push(`${leaks.length} frame(s) with a control character from the log:`, ...leaks.slice(0, 30).map((l) => `  ${l.where}: ${l.what}`));
    if (warnings.size > 0) out.push(`${warnings.size} distinct React warning(s) while rendering:`, ...[...warnings.values()].map((w) => `  ${w}`));
    if (out.length > 0) assert.fail(`fuzz seed ${formatSeed(seed)} (replay: FUZZ_SEED=${formatSeed(seed)} node scripts/run-tests.mjs test/fuzz/tui-frames.test.tsx)\n${out.join('\n')}`);
  });
});
