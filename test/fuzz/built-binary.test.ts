import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { checkRun, fuzzEnv, makeHome, seedKeychain, writeLog, type FuzzCommand, type Problem } from '../support/fuzz-checks.js';
import { fuzzNow, generateFuzzHomes } from '../support/hostile-log.js';
import { brokerBin, runBrokerAt } from '../support/run-broker.js';
import { formatSeed, fuzzSeed, seededRandom } from '../support/seeded-random.js';
import { tempHome } from '../support/temp-home.js';

// The fuzz test through the built binary (dist/broker.mjs), on a sample of the in-process test's
// homes: the exit-code contract as a script sees it (0 or 1, never a crash or a signal; doctor and
// status give the same code with and without --json), and the same output checks.

const seed = fuzzSeed(0x0b5e55ed);
const sample = seededRandom(seed).fork('binary').shuffle(generateFuzzHomes(seededRandom(seed))).slice(0, 3);
const proxyVars = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy', 'NO_PROXY', 'no_proxy'];

const commands: FuzzCommand[] = [
  { name: 'doctor', args: ['doctor'] },
  { name: 'doctor --json', args: ['doctor', '--json'], json: 'doctor' },
  { name: 'doctor --json --since all', args: ['doctor', '--json', '--since', 'all'], json: 'doctor', counts: true },
  { name: 'log', args: ['log', '--since', 'all'] },
  { name: 'log --json', args: ['log', '--json', '--since', 'all'], json: 'log', counts: true },
  { name: 'status', args: ['status'] },
  { name: 'status --json', args: ['status', '--json'], json: 'status' },
];

describe('fuzz: the built binary over hostile logs', () => {
  let unseed: () => Promise<void> = async () => {};
  before(async () => (unseed = await seedKeychain(sample)));
  after(() => unseed());

  it('exits 0 or 1 on every hostile log, with the same code with and without --json, and prints nothing it must not', { timeout: 120_000 }, async (t) => {
    assert.ok(existsSync(brokerBin), `${brokerBin} is missing: run \`npm run build\` first`);
    assert.equal(spawnSync('faketime', ['-f', '+0', 'true']).status, 0, 'faketime is missing (apt-get install faketime)');
    const root = tempHome('broker-fuzz-bin-');
    const problems: Array<Problem & { home: string }> = [];
    let runs = 0;
    for (const home of sample) {
      const dir = makeHome(root, home);
      writeLog(dir, home.lines);
      // This session's environment (the keychain's D-Bus), without ambient proxies, plus the home's.
      const env: Record<string, string | undefined> = fuzzEnv(dir, home);
      for (const v of proxyVars) if (!(v in home.env)) env[v] = '';
      const codes = new Map<string, number | null>();
      for (const command of commands) {
        const run = await runBrokerAt(fuzzNow, command.args, { env });
        runs++;
        codes.set(command.name, run.code);
        problems.push(...checkRun(command, run, home.lines).map((p) => ({ ...p, home: `home ${home.index} (${home.scenario})` })));
      }
      for (const [text, json] of [['doctor', 'doctor --json'], ['status', 'status --json']] as const) {
        if (codes.get(text) !== codes.get(json)) problems.push({ signature: `${text}: exit ${codes.get(text)} but ${json} exits ${codes.get(json)}`, detail: '', home: `home ${home.index} (${home.scenario})` });
      }
    }
    const lines = sample.reduce((n, h) => n + h.lines.length, 0);
    t.diagnostic(`fuzz seed ${formatSeed(seed)}: ${runs} runs of dist/broker.mjs over ${sample.length} homes (${sample.map((h) => h.scenario).join(', ')}; ${lines} log lines)`);
    if (problems.length > 0) {
      const shown = problems.map((p) => `  ${p.home}: ${p.signature}${p.detail ? `\n    ${p.detail.split('\n').join('\n    ')}` : ''}`);
      assert.fail(`fuzz seed ${formatSeed(seed)}: ${problems.length} problem(s) through the binary (the in-process test shrinks them to their lines: test/fuzz/event-log-commands.test.ts)\n${shown.join('\n')}`);
    }
  });
});
