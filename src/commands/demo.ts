import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagePath } from '../adapters/package-path.js';
import { usageError } from '../core/broker-error.js';
import { StateSchema, type State } from '../core/state-schema.js';
import { defineCommand } from './command.js';
import { createDeps } from './deps.js';
import { doctorCommand } from './doctor.js';
import { statusCommand } from './status.js';

// The sandbox's timestamps were written as of this moment; the demo moves them all to "now",
// so "expires in 12 min" and "idle 171 days" read the same whenever it runs.
const sandboxRecordedAt = '2026-11-22T03:00:00.000Z';
// A scenario whose log a real broker could have written: a refresh race, a wrong GitHub App
// installation, a personal token in CI and a rate limit, among normal traffic.
const demoScenario = 'fixtures/scenarios/several-failures';

export const demoCommand = defineCommand<Record<string, never>>({
  name: 'demo',
  usage: `Usage: broker demo

A sandbox in a fresh temporary home, removed on exit: the connections of fixtures/sandbox/state.json
(github, github-app, google, microsoft, slack, oidc; metadata only, no secrets) plus the state and
event log of the several-failures scenario, all moved to the present. Shows \`broker status\` (the
live grid in a terminal: ↑/↓, Enter, q), then \`broker doctor\` (in a terminal: Enter for the
runbook, an action key and y to fix, q to quit; piped: its report). The sandbox uses the
encrypted file token store, so it runs on a machine without a keychain.
`,
  options: {},
  // The sandbox is a home of its own on the file store, whatever BROKER_STORE says.
  opensStore: false,
  parse(_values, positionals) {
    if (positionals.length > 0) throw usageError('demo takes no arguments');
    return {};
  },
  async run(_opts, deps) {
    const home = mkdtempSync(join(tmpdir(), 'broker-demo-'));
    try {
      const now = deps.now().getTime();
      const sandbox = readJson(packagePath('fixtures/sandbox/state.json'));
      const scenarioDir = packagePath(demoScenario);
      const scenarioNow = (readJson(join(scenarioDir, 'expected.json')) as { now: string }).now;
      const scenario = readJson(join(scenarioDir, 'state.json'));
      const state: State = {
        version: 1,
        // A fresh home id keeps the sandbox's store entries apart from every other home's.
        homeId: randomBytes(8).toString('hex'),
        connections: {
          ...StateSchema.parse(shiftTimes(sandbox, now - Date.parse(sandboxRecordedAt))).connections,
          ...StateSchema.parse(shiftTimes(scenario, now - Date.parse(scenarioNow))).connections,
        },
      };
      writeFileSync(join(home, 'state.json'), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
      mkdirSync(join(home, 'logs'), { mode: 0o700 });
      const events = readFileSync(join(scenarioDir, 'events.jsonl'), 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.stringify(shiftTimes(JSON.parse(line), now - Date.parse(scenarioNow))));
      writeFileSync(join(home, 'logs', 'events.jsonl'), `${events.join('\n')}\n`, { mode: 0o600 });

      deps.io.stderr.write(`sandbox home: ${home} (removed on exit)\n`);
      const env = { ...deps.env, BROKER_HOME: home, BROKER_STORE: 'file', BROKER_PASSPHRASE: 'broker-demo-sandbox' };
      const sandboxDeps = createDeps({ io: deps.io, env, home, mode: deps.mode, now: deps.now });
      await statusCommand.run({}, sandboxDeps);
      deps.io.stdout.write('\n');
      return await doctorCommand.run(doctorCommand.parse({}, []), sandboxDeps);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  },
});

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Every ISO timestamp in the value, moved by offsetMs. */
function shiftTimes(value: unknown, offsetMs: number): unknown {
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(value)) return new Date(Date.parse(value) + offsetMs).toISOString();
  if (Array.isArray(value)) return value.map((v) => shiftTimes(v, offsetMs));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shiftTimes(v, offsetMs)]));
  return value;
}
