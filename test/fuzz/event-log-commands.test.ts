import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it, mock } from 'node:test';
import { caseClasses, classCounts, escapePayloads, eventFields, eventKinds, fuzzNow, generateFuzzHomes, type FuzzHome, type FuzzLine } from '../support/hostile-log.js';
import { checkRun, fuzzEnv, makeHome, minimiseLines, seedKeychain, showLine, shrinkFields, writeLog, type FuzzCommand, type Problem } from '../support/fuzz-checks.js';
import type { BrokerRun } from '../support/run-broker.js';
import { runMain } from '../support/run-main.js';
import { formatSeed, fuzzSeed, seededRandom } from '../support/seeded-random.js';
import { tempHome } from '../support/temp-home.js';

// The bounded fuzz test of the event-log reader, the rules and the output (docs/design.md §3: the reader
// must survive any line, skip what it cannot use and count it; nothing from the log reaches a
// terminal as a control character). Every scenario fixture becomes a home with thousands of hostile
// lines woven into its log; doctor, log and status run over each in-process through main().
// A failure is shrunk to the fewest log lines that still fail the same way, and printed with the
// seed: FUZZ_SEED=0x… node scripts/run-tests.mjs test/fuzz/event-log-commands.test.ts replays it.
// One failure can hide another (a crash ends the run), so after shrinking, its lines are taken out
// and the command runs again, for up to FUZZ_SHRINK_RUNS runs (a count, not a time, so the report
// is the same on every machine; default 800, about 10 s here); FUZZ_SHRINK_RUNS=50000 lists them all.

const seed = fuzzSeed(0x0b5e55ed);
const homes = generateFuzzHomes(seededRandom(seed));
// Shrinking stops after this many runs (the first occurrence of each failure is always shrunk).
const shrinkBudget = Number(process.env.FUZZ_SHRINK_RUNS ?? 800);

const commands: FuzzCommand[] = [
  { name: 'doctor', args: ['doctor', '--now', fuzzNow] },
  { name: 'doctor --json', args: ['doctor', '--json', '--since', 'all', '--now', fuzzNow], json: 'doctor', counts: true },
  { name: 'log', args: ['log', '--since', 'all'] },
  { name: 'log --json', args: ['log', '--json', '--since', 'all'], json: 'log', counts: true },
  { name: 'status', args: ['status'] },
  { name: 'status --json', args: ['status', '--json'], json: 'status' },
];

async function runCommand(command: FuzzCommand, dir: string, home: FuzzHome): Promise<BrokerRun> {
  try {
    return await runMain(command.args, fuzzEnv(dir, home));
  } catch (err) {
    // main() catches what a command throws; something escaping it would take the CLI down.
    return { code: null, stdout: '', stderr: `main() threw: ${(err as Error).stack ?? String(err)}` };
  }
}

interface Failure {
  problem: Problem;
  command: FuzzCommand;
  home: FuzzHome;
  /** The fewest lines that still fail this way (all of the home's when shrinking ran out). */
  lines: FuzzLine[];
  shrunk: boolean;
  /** Shrinking was tried (it can run out of runs); until then the lines are the whole home's. */
  tried: boolean;
  homesSeen: Set<number>;
}

describe('fuzz: the event log reader, the doctor, log and status over hostile logs', () => {
  // status and log have no --now: the clock is the scenarios' "now" for the whole file.
  let unseed: () => Promise<void> = async () => {};
  before(async () => {
    unseed = await seedKeychain(homes);
    mock.timers.enable({ apis: ['Date'], now: Date.parse(fuzzNow) });
  });
  after(async () => {
    mock.timers.reset();
    await unseed();
  });

  it('the generator covers every class of hostile line, every event kind and field, and the known crashes', () => {
    const counts = classCounts(homes);
    for (const c of caseClasses) assert.ok((counts.get(c) ?? 0) > 0, `no case of class ${c}`);
    const whats = new Set(homes.flatMap((h) => h.lines.map((l) => l.what)));
    for (const kind of eventKinds) {
      for (const [field, type] of Object.entries({ ts: 'time', event: 'name', conn: 'text', pid: 'number', host: 'text', agent: 'text', task: 'text', ci: 'boolean', ...eventFields[kind] })) {
        for (const what of [`${kind}.${field} missing`, `${kind}.${field} = null`, `${kind}.${field} = []`, `${kind}.${field} = {}`, `${kind}.${field} = 42`, `${kind}.${field} = "42"`, `${kind}.${field} = true`, `${kind}.${field} = 1e999`, `${kind}.${field} = "NaN"`]) {
          assert.ok(whats.has(what), `no case "${what}"`);
        }
        if (type === 'number' || type === 'boolean') continue;
        for (const payload of ['CSI clear screen', 'CSI colour', 'OSC 52 clipboard', 'OSC 0 title', 'DCS', 'C1 CSI', 'bidi override']) {
          assert.ok(whats.has(`${kind}.${field} with ${payload}`), `no case "${kind}.${field} with ${payload}"`);
        }
      }
    }
    assert.ok(escapePayloads.every((p) => homes.some((h) => h.lines.some((l) => l.what.endsWith(`with ${p.name}`)))), 'an escape payload is never used');
    // The two crashes issue 10 names must be among the cases.
    assert.ok(whats.has('refresh.error = ["invalid_grant"]'));
    assert.ok(whats.has('request.target missing'));
  });

  it('the checks fail on what they must: a crash, a wrong exit code, an escape byte, bad JSON, wrong counts', () => {
    const [skip, keep] = [homes[0]!.lines.find((l) => l.expect === 'skip')!, homes[0]!.lines.find((l) => l.expect === 'keep')!];
    const doctorJson = commands[1]!;
    const doc = (read: number, skipped: number) => JSON.stringify({ findings: [], linesRead: read, linesSkipped: skipped });
    const signatures = (run: Partial<BrokerRun>, command = doctorJson) => checkRun(command, { code: 0, stdout: doc(2, 1), stderr: '', ...run }, [skip, keep]).map((p) => p.signature);
    assert.deepEqual(signatures({}), []);
    assert.deepEqual(signatures({ stdout: `${doc(2, 1)}\n\t` }), [], 'newline and tab are allowed');
    assert.deepEqual(signatures({ code: 1, stderr: 'broker: unexpected error: fields.error?.toLowerCase is not a function\n' }), ['doctor --json: unexpected error: fields.error?.toLowerCase is not a function']);
    assert.deepEqual(signatures({ code: 2 }), ['doctor --json: exit 2']);
    assert.deepEqual(signatures({ code: null }), ['doctor --json: exit null']);
    assert.deepEqual(signatures({ stdout: doc(2, 1).replace('[]', '["\u001b]52;c;eA==\u0007"]') }), [
      'doctor --json: ESC (U+001B) on stdout',
      'doctor --json: BEL (U+0007) on stdout',
      // A raw control character inside a JSON string is not JSON either.
      'doctor --json: stdout is not one JSON document',
    ]);
    assert.deepEqual(signatures({ stderr: 'path \u009b31m \u202eexe \r\u0008' }), ['doctor --json: C1 (U+009B) on stderr', 'doctor --json: bidi (U+202E) on stderr', 'doctor --json: CR (U+000D) on stderr', 'doctor --json: BS (U+0008) on stderr']);
    assert.deepEqual(signatures({ stdout: 'not json' }), ['doctor --json: stdout is not one JSON document']);
    assert.deepEqual(signatures({ stdout: doc(1, 1) }), ['doctor --json: linesRead is not the number of lines written']);
    assert.deepEqual(signatures({ stdout: doc(2, 0) }), ['doctor --json: linesSkipped misses lines that are not events']);
    assert.deepEqual(signatures({ stdout: doc(2, 2) }), ['doctor --json: linesSkipped counts valid events']);
    assert.deepEqual(signatures({ stdout: 'x\u001b[2Jy' }, commands[0]), ['doctor: ESC (U+001B) on stdout']);
  });

  it('doctor, log and status survive every hostile line: no crash, exit 0 or 1, no control character out, JSON that parses, skipped lines counted', { timeout: 120_000 + 100 * shrinkBudget }, async (t) => {
    const started = performance.now();
    const root = tempHome('broker-fuzz-');
    const failures = new Map<string, Failure>();
    let runs = 0;
    let shrinkRuns = 0;

    const run = async (command: FuzzCommand, dir: string, home: FuzzHome, lines: FuzzLine[]): Promise<Problem[]> => {
      writeLog(dir, lines);
      runs++;
      return checkRun(command, await runCommand(command, dir, home), lines);
    };

    for (const home of homes) {
      const dir = makeHome(root, home);
      for (const command of commands) {
        let lines = home.lines;
        // A failure can hide the next (a crash stops the run): shrink it, take its lines out, run again.
        for (;;) {
          const problems = await run(command, dir, home, lines);
          if (problems.length === 0) break;
          for (const problem of problems) failures.get(problem.signature)?.homesSeen.add(home.index);
          const unseen = problems.find((p) => !failures.get(p.signature)?.tried);
          const target = unseen ?? (shrinkRuns < shrinkBudget ? problems[0] : undefined);
          if (!target) break;
          const failsSo = async (subset: FuzzLine[]) => (await run(command, dir, home, subset)).some((p) => p.signature === target.signature);
          const shrunk = await minimiseLines(lines, failsSo, 400);
          shrinkRuns += shrunk.runs;
          let shown = shrunk.lines;
          const countProblem = /lines(Read|Skipped)/.test(target.signature);
          if (shown.length === 1 && !countProblem && !failures.get(target.signature)?.tried) {
            const fewer = await shrinkFields(shown[0]!, (line) => failsSo([line]), 40);
            shrinkRuns += fewer.runs;
            shown = [fewer.line];
          }
          for (const problem of problems) {
            const known = failures.get(problem.signature);
            if (problem.signature === target.signature && !known?.tried) {
              failures.set(problem.signature, { problem, command, home, lines: shown, shrunk: shrunk.complete, tried: true, homesSeen: known?.homesSeen ?? new Set([home.index]) });
            } else if (!known) {
              failures.set(problem.signature, { problem, command, home, lines, shrunk: false, tried: false, homesSeen: new Set([home.index]) });
            }
          }
          const culprits = new Set(shrunk.lines);
          if (shrunk.lines.length === lines.length || shrinkRuns >= shrinkBudget) break;
          lines = lines.filter((l) => !culprits.has(l));
        }
      }
    }

    const cases = homes.reduce((n, h) => n + h.lines.filter((l) => l.caseClass !== null).length, 0);
    const classes = [...classCounts(homes)].map(([c, n]) => `${c} ${n}`).join(', ');
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    t.diagnostic(`fuzz seed ${formatSeed(seed)}: ${cases} hostile lines in ${homes.length} homes (${classes}); ${commands.length} commands each, ${runs} in-process runs (${shrinkRuns} shrinking) in ${seconds} s`);
    if (failures.size > 0) assert.fail(report([...failures.values()]));
  });
});

/** One entry per failure, the commands it shows in grouped: "unexpected error: X" in doctor and status is one bug. */
function report(failures: Failure[]): string {
  const replay = `FUZZ_SEED=${formatSeed(seed)} node scripts/run-tests.mjs test/fuzz/event-log-commands.test.ts`;
  const groups = new Map<string, Failure[]>();
  for (const f of failures) {
    const what = f.problem.signature.slice(f.command.name.length + 2);
    groups.set(what, [...(groups.get(what) ?? []), f]);
  }
  const out = [`fuzz seed ${formatSeed(seed)}: ${groups.size} distinct failure(s) (${failures.length} with the command); replay: ${replay}`, ''];
  [...groups].forEach(([what, group], i) => {
    const f = group.find((g) => g.shrunk) ?? group[0]!;
    const homesSeen = new Set(group.flatMap((g) => [...g.homesSeen]));
    out.push(`${i + 1}. ${what}`);
    out.push(`   in: ${group.map((g) => `broker ${g.command.name}`).join(', ')}; seen in ${homesSeen.size} home(s)`);
    out.push(`   first: home ${f.home.index} (scenario ${f.home.scenario}), broker ${f.command.args.join(' ')}`);
    out.push(`   ${f.problem.detail.split('\n').join('\n   ')}`);
    const cases = f.lines.filter((l) => l.caseClass !== null);
    out.push(f.shrunk ? `   the fewest lines that fail this way (${f.lines.length}, ${f.lines.length - cases.length} of them the scenario's own):` : `   not shrunk (budget spent); the ${cases.length} hostile lines of the ${f.lines.length}:`);
    for (const line of (f.shrunk ? f.lines : cases).slice(0, 12)) out.push(`     [${line.caseClass ?? 'scenario'}] ${line.what}:\n       ${showLine(line, 600)}`);
    out.push('');
  });
  return out.join('\n');
}
