// broker log over a realistic 2,000,000-line (~490 MB) log (docs/design.md §11): a full scan beside
// `grep -c invalid_grant` (target ≤ 3×), the default 24-hour window (target < 300 ms whatever the
// size: it seeks by time) and peak RSS (target < 200 MB).
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readEvents } from '../src/adapters/event-log-reader.js';
import { homePaths, type HomePaths } from '../src/adapters/home.js';
import { generateLog, splitLikeTheWriter } from './generate-log.js';
import { median, ms, peakRssMb, printTable, timeCommand, type Row } from './report.js';

const totalLines = 2_000_000;
const days = 30;
const neverInLog = '\u0001never\u0001';
const broker = fileURLToPath(new URL('../dist/broker.mjs', import.meta.url));

/** Median in-process time of readEvents over the last 24 hours; `match` (never found) leaves out JSON.parse. */
async function timeWindowRead(paths: HomePaths, runs: number, match?: string): Promise<{ ms: number; events: number; linesRead: number }> {
  const times: number[] = [];
  let last = { events: 0, linesRead: 0 };
  for (let i = 0; i < runs; i++) {
    const until = new Date();
    const started = performance.now();
    const read = await readEvents(paths, { since: new Date(until.getTime() - 86_400_000), until, match });
    times.push(performance.now() - started);
    last = { events: read.events.length, linesRead: read.linesRead };
  }
  return { ms: median(times), ...last };
}

const rss = (value: number | null): string => (value === null ? 'n/a (no /usr/bin/time)' : `${value.toFixed(0)} MB`);
const underRss = (value: number | null): boolean | undefined => (value === null ? undefined : value < 200);

const root = mkdtempSync(join(tmpdir(), 'broker-bench-'));
try {
  const home = join(root, 'single');
  const paths = homePaths(home);
  mkdirSync(paths.logs, { recursive: true });
  const env = { BROKER_HOME: home };

  const generatedAt = performance.now();
  const { bytes, invalidGrant } = generateLog(paths.events, Date.now(), totalLines, days);
  process.stdout.write(`generated ${totalLines.toLocaleString('en')} lines, ${(bytes / 1e6).toFixed(0)} MB (${invalidGrant} invalid_grant) in ${ms(performance.now() - generatedAt)}\n`);
  if (statSync(paths.events).size !== bytes) throw new Error('the generated log is not the size written');

  const bareNode = timeCommand(process.execPath, ['-e', '0'], { runs: 11 });
  timeCommand('grep', ['-c', 'invalid_grant', paths.events], { runs: 1 }); // warm the page cache
  const grep = timeCommand('grep', ['-c', 'invalid_grant', paths.events], { runs: 5 });
  const fullScanArgs = [broker, 'log', '--since', 'all', '--match', 'invalid_grant', '--json'];
  const fullScan = timeCommand(process.execPath, fullScanArgs, { env, runs: 5 });
  const window = await timeWindowRead(paths, 7);
  const windowUnparsed = await timeWindowRead(paths, 7, neverInLog);
  const windowArgs = [broker, 'log', '--json'];
  const windowCli = timeCommand(process.execPath, windowArgs, { env, runs: 5 });
  const rssFull = peakRssMb(process.execPath, fullScanArgs, env);
  const rssWindow = peakRssMb(process.execPath, windowArgs, env);
  const connScanArgs = [broker, 'log', '--since', 'all', '--conn', 'linear-sync', '--json'];
  const connScan = timeCommand(process.execPath, connScanArgs, { env, runs: 1 });
  const rssConn = peakRssMb(process.execPath, connScanArgs, env);


  const rotatedHome = join(root, 'rotated');
  const rotatedPaths = homePaths(rotatedHome);
  mkdirSync(rotatedPaths.logs, { recursive: true });
  const fileCount = splitLikeTheWriter(paths.events, rotatedPaths);
  rmSync(home, { recursive: true, force: true });
  const rotatedWindow = await timeWindowRead(rotatedPaths, 7);
  const rotatedUnparsed = await timeWindowRead(rotatedPaths, 7, neverInLog);
  const rotatedWindowCli = timeCommand(process.execPath, windowArgs, { env: { BROKER_HOME: rotatedHome }, runs: 5 });

  const rows: Row[] = [
    { figure: 'bare `node -e 0` (median of 11)', value: ms(bareNode) },
    { figure: '`grep -c invalid_grant FILE` (median of 5)', value: ms(grep) },
    { figure: 'full scan: `broker log --since all --match invalid_grant --json`', value: ms(fullScan) },
    { figure: '  full scan ÷ grep', value: `${(fullScan / grep).toFixed(2)}×`, target: '≤ 3×', pass: fullScan / grep <= 3 },
    { figure: `24 h window read, one ${(bytes / 1e6).toFixed(0)} MB file (readEvents, ${window.events.toLocaleString('en')} events)`, value: ms(window.ms), target: '< 300 ms', pass: window.ms < 300 },
    { figure: '  of which seek + line count + byte scan, without JSON.parse', value: ms(windowUnparsed.ms) },
    { figure: '  same, whole command `broker log --json` (startup + output)', value: ms(windowCli) },
    { figure: `24 h window read, ${fileCount} files rotated at 64 MiB as the writer does`, value: ms(rotatedWindow.ms), target: '< 300 ms', pass: rotatedWindow.ms < 300 },
    { figure: '  of which seek + line count + byte scan, without JSON.parse', value: ms(rotatedUnparsed.ms) },
    { figure: '  same, whole command `broker log --json`', value: ms(rotatedWindowCli) },
    { figure: 'peak RSS, full scan command', value: rss(rssFull), target: '< 200 MB', pass: underRss(rssFull) },
    { figure: 'peak RSS, 24 h window command', value: rss(rssWindow), target: '< 200 MB', pass: underRss(rssWindow) },
    { figure: 'full scan keeping 1 line in 5: `--since all --conn linear-sync --json`', value: ms(connScan) },
    { figure: '  its peak RSS (400,000 events streamed out)', value: rss(rssConn) },
  ];
  const load = loadavg().map((l) => l.toFixed(1)).join(' ');
  printTable(`event log: ${totalLines.toLocaleString('en')} lines, ${(bytes / 1e6).toFixed(0)} MB over ${days} days; ${cpus().length} CPUs, load average ${load}`, rows);
} finally {
  rmSync(root, { recursive: true, force: true });
}
