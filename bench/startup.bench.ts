// Start-up, docs/design.md §11: ratios to a bare `node -e 0` measured in the same run, because absolute
// times drift. Runs are interleaved so that load on the machine falls on every command alike.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brokerBin, runBroker } from '../test/support/run-broker.js';
import { Terminal, poll } from '../test/support/tmux-terminal.js';
import { median, ms, printTable, type Row } from './report.js';
import { startUpParts, whereStartUpGoes } from './start-up-split.js';

const runs = 21;
const withKeyring = fileURLToPath(new URL('../scripts/with-keyring.sh', import.meta.url));

// `broker token` reads the OS keychain: outside a desktop session, run inside a private Secret Service.
if (!process.env.DBUS_SESSION_BUS_ADDRESS) {
  const run = spawnSync(withKeyring, [process.execPath, '--import', 'tsx', fileURLToPath(import.meta.url)], { stdio: 'inherit' });
  process.exit(run.status ?? 1);
}

const home = mkdtempSync(join(tmpdir(), 'broker-bench-startup-'));
try {
  const env = { ...process.env, BROKER_HOME: home };
  const connect = await runBroker(['connect', 'cached', '--provider', 'github', '--token-stdin'], {
    env,
    input: JSON.stringify({ access_token: 'bench-cached-token', expires_in: 8 * 3600 }),
  });
  if (connect.code !== 0) throw new Error(`connect failed: ${connect.stderr}`);

  const commands: Record<string, string[]> = {
    bare: ['-e', '0'],
    status: [brokerBin, 'status', '--json'],
    token: [brokerBin, 'token', 'cached'],
  };
  const times: Record<string, number[]> = { bare: [], status: [], token: [] };
  for (let i = 0; i < runs; i++) {
    for (const [name, args] of Object.entries(commands)) {
      const start = performance.now();
      const run = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      times[name]?.push(performance.now() - start);
      // status exits 1 when a connection is unhealthy; anything else is a failed measurement.
      if (run.status !== 0 && !(name === 'status' && run.status === 1)) throw new Error(`${args.join(' ')} exited ${run.status}: ${run.stderr}`);
    }
  }
  const bare = median(times.bare ?? []);
  const ratio = (name: string) => median(times[name] ?? []) / bare;

  // First frame in a pseudo-terminal: from starting the command in tmux to the first screen with its text,
  // against bare node printing one line through the same path.
  const firstFrame = async (command: string, marker: string): Promise<number> => {
    const samples: number[] = [];
    for (let i = 0; i < 7; i++) {
      const term = new Terminal(home);
      try {
        const start = performance.now();
        term.run(command);
        await poll(() => (term.screen().includes(marker) ? true : undefined), () => `"${marker}" on screen`, 1);
        samples.push(performance.now() - start);
      } finally {
        term.kill();
      }
    }
    return median(samples);
  };
  const bareFrame = await firstFrame(`${process.execPath} -e "console.log('bare-ready')"; sleep 5`, 'bare-ready');
  // The first frame is the doctor's header with its spinner; the report follows once the log and the store are read.
  const doctorFrame = await firstFrame(`${process.execPath} ${brokerBin} doctor; sleep 5`, 'reading the event log');
  const doctorReport = await firstFrame(`${process.execPath} ${brokerBin} doctor; sleep 5`, 'token store:');

  const rows: Row[] = [
    { figure: 'bare `node -e 0` (median)', value: ms(bare) },
    { figure: '`broker status --json`', value: `${ratio('status').toFixed(2)}× (${ms(median(times.status ?? []))})`, target: '≤ 1.7×', pass: ratio('status') <= 1.7 },
    { figure: '`broker token` (cached token)', value: `${ratio('token').toFixed(2)}× (${ms(median(times.token ?? []))})`, target: '≤ 1.7×', pass: ratio('token') <= 1.7 },
    { figure: 'bare node, first line in a pty (tmux)', value: ms(bareFrame) },
    { figure: '`broker doctor`, first frame in a pty', value: `${(doctorFrame / bareFrame).toFixed(2)}× (${ms(doctorFrame)})`, target: '≤ 4×', pass: doctorFrame / bareFrame <= 4 },
    { figure: '`broker doctor`, the report on screen (empty log, store checked)', value: `${(doctorReport / bareFrame).toFixed(2)}× (${ms(doctorReport)})` },
  ];
  printTable(`Start-up, ${runs} interleaved runs each`, rows);

  // Where the time over bare node goes (docs/design.md §11): what is left to cut, part by part.
  for (const [name, args] of [['token', commands.token], ['status', commands.status]] as const) {
    const parts = whereStartUpGoes(args ?? [], env, 7);
    printTable(`\`broker ${name === 'token' ? 'token' : 'status --json'}\`: where the time goes after Node has booted (CPU profile, median of 7)`, [
      { figure: 'Node booting (bare `node -e 0`, above)', value: ms(bare) },
      ...startUpParts.map((part) => ({ figure: part, value: ms(parts[part]) })),
    ]);
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}
