import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { usageError } from '../core/broker-error.js';
import { StateSchema } from '../core/state-schema.js';
import sandboxState from '../../fixtures/sandbox/state.json' with { type: 'json' };
import { defineCommand } from './command.js';
import { createDeps } from './deps.js';
import { statusCommand } from './status.js';

// The sandbox's timestamps were written as of this moment; the demo moves them all to "now",
// so "expires in 12 min" and "idle 171 days" read the same whenever it runs.
const sandboxRecordedAt = Date.parse('2026-11-22T03:00:00.000Z');

export const demoCommand = defineCommand<Record<string, never>>({
  name: 'demo',
  usage: `Usage: broker demo

Copies fixtures/sandbox/state.json (six connections across github, github-app, google,
microsoft, slack and oidc; metadata only, no secrets) into a fresh temporary home, runs
\`broker status\` there, and removes the home when it exits.
`,
  options: {},
  parse(_values, positionals) {
    if (positionals.length > 0) throw usageError('demo takes no arguments');
    return {};
  },
  async run(_opts, deps) {
    const home = mkdtempSync(join(tmpdir(), 'broker-demo-'));
    try {
      const state = StateSchema.parse(shiftTimes(sandboxState, deps.now().getTime() - sandboxRecordedAt));
      // A fresh home id keeps the sandbox's keychain entries apart from every other home's.
      writeFileSync(join(home, 'state.json'), `${JSON.stringify({ ...state, homeId: randomBytes(8).toString('hex') }, null, 2)}\n`, { mode: 0o600 });
      deps.io.stderr.write(`sandbox home: ${home} (removed on exit)\n`);
      const sandbox = createDeps({ io: deps.io, env: { ...deps.env, BROKER_HOME: home }, home, mode: deps.mode, now: deps.now });
      return await statusCommand.run({}, sandbox);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  },
});

/** Every ISO timestamp in the value, moved by offsetMs. */
function shiftTimes(value: unknown, offsetMs: number): unknown {
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(value)) return new Date(Date.parse(value) + offsetMs).toISOString();
  if (Array.isArray(value)) return value.map((v) => shiftTimes(v, offsetMs));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shiftTimes(v, offsetMs)]));
  return value;
}
