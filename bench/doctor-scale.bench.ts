// broker doctor --since all at any size (docs/design.md §11): the whole log folded through every
// rule, against `grep -c` over the same files (target ≤ 5×), and peak RSS flat as the log grows
// (< 200 MB at 2 M and 10 M lines). Cold: no checkpoint, every file is read. Warm: the fold state
// after the immutable rotated files comes from the checkpoint, so only the live file is read.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { homePaths } from '../src/adapters/home.js';
import { generateLog, splitLikeTheWriter, writeBenchState } from './generate-log.js';
import { measureOnce, ms, printTable, timeCommand, type Row } from './report.js';

const sizes = [2_000_000, 10_000_000];
const days = 30;
const broker = fileURLToPath(new URL('../dist/broker.mjs', import.meta.url));
const parseEveryLine = `const fs = require('node:fs'); let n = 0;
for (const file of process.argv.slice(1)) { const fd = fs.openSync(file); const buf = Buffer.alloc(1 << 22); let rest = '';
  for (let got; (got = fs.readSync(fd, buf)) > 0; ) { const lines = (rest + buf.toString('utf8', 0, got)).split('\\n'); rest = lines.pop(); for (const l of lines) if (l) { JSON.parse(l); n++; } }
  if (rest) { JSON.parse(rest); n++; } fs.closeSync(fd); }
if (n === 0) process.exit(1);`;
const rss = (value: number | null): string => (value === null ? 'n/a (no /usr/bin/time)' : `${value.toFixed(0)} MB`);

const rows: Row[] = [];
for (const totalLines of sizes) {
  const root = mkdtempSync(join(tmpdir(), 'broker-bench-doctor-'));
  try {
    const paths = homePaths(join(root, 'home'));
    mkdirSync(paths.logs, { recursive: true });
    const single = join(root, 'single.jsonl');
    const { bytes } = generateLog(single, Date.now(), totalLines, days);
    const files = splitLikeTheWriter(single, paths);
    rmSync(single);
    writeBenchState(paths);
    const logFiles = readdirSync(paths.logs).map((name) => join(paths.logs, name));
    const liveMb = statSync(paths.events).size / 1e6;
    const env = { BROKER_HOME: paths.root, BROKER_STORE: 'file', BROKER_PASSPHRASE: 'bench-passphrase' };
    timeCommand('grep', ['-c', 'invalid_grant', ...logFiles], { runs: 1 }); // warm the page cache
    const grep = timeCommand('grep', ['-c', 'invalid_grant', ...logFiles], { runs: 5 });
    const doctor = [broker, 'doctor', '--since', 'all', '--json'];
    const cold = measureOnce(process.execPath, doctor, env);
    const warm = [measureOnce(process.execPath, doctor, env), measureOnce(process.execPath, doctor, env)].sort((a, b) => a.ms - b.ms)[0]!;
    const window = measureOnce(process.execPath, [broker, 'doctor', '--json'], env);
    // The floor of any cold scan that reads each line as JSON: Node reading the same files and
    // JSON.parse-ing every line, nothing else (no schema, no rules).
    const jsonFloor = measureOnce(process.execPath, ['-e', parseEveryLine, ...logFiles]);
    if (jsonFloor.status !== 0) throw new Error('the JSON.parse floor run failed');
    for (const run of [cold, warm, window]) if (run.status !== 0 && run.status !== 1) throw new Error(`broker doctor exited ${run.status}`);
    const size = `${(totalLines / 1e6).toFixed(0)} M lines (${(bytes / 1e6).toFixed(0)} MB, ${files} files, live ${liveMb.toFixed(0)} MB)`;
    rows.push(
      { figure: `${size}: \`grep -c invalid_grant\` over the files`, value: ms(grep) },
      { figure: '  `broker doctor --since all --json`, cold (no checkpoint)', value: ms(cold.ms) },
      { figure: '    cold ÷ grep', value: `${(cold.ms / grep).toFixed(1)}×`, target: '≤ 5×', pass: cold.ms / grep <= 5 },
      { figure: '    of which the floor: Node only JSON.parse-ing every line', value: `${ms(jsonFloor.ms)} = ${(jsonFloor.ms / grep).toFixed(1)}× grep` },
      { figure: '    cold peak RSS', value: rss(cold.rssMb), target: '< 200 MB', pass: cold.rssMb === null ? undefined : cold.rssMb < 200 },
      { figure: '  the same again, warm (rotated files from the checkpoint)', value: ms(warm.ms) },
      { figure: '    warm ÷ grep', value: `${(warm.ms / grep).toFixed(1)}×`, target: '≤ 5×', pass: warm.ms / grep <= 5 },
      { figure: '    warm peak RSS', value: rss(warm.rssMb), target: '< 200 MB', pass: warm.rssMb === null ? undefined : warm.rssMb < 200 },
      { figure: '  `broker doctor --json` (default 24 h window)', value: ms(window.ms) },
      { figure: '    its peak RSS', value: rss(window.rssMb), target: '< 200 MB', pass: window.rssMb === null ? undefined : window.rssMb < 200 },
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
const load = loadavg().map((l) => l.toFixed(1)).join(' ');
printTable(`broker doctor over the whole log; ${cpus().length} CPUs, load average ${load}`, rows);
