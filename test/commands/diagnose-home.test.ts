import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadScenario } from '../../fixtures/scenarios/load-scenario.js';
import { createDeps } from '../../src/commands/deps.js';
import { diagnoseHome, readOn, type HomeDiagnosis } from '../../src/commands/diagnose-home.js';
import { capturedIo } from '../support/captured-io.js';
import { tempHome } from '../support/temp-home.js';

// The doctor's reads: the whole log folded once; the state after the rotated files checkpointed and
// trusted only while it matches; reading on from where a read stopped. Every path must give exactly
// the answer of one plain read over the same lines.

const scenario = loadScenario('several-failures');
const lines = readFileSync(join(scenario.dir, 'events.jsonl'), 'utf8').trimEnd().split('\n');
const now = new Date(scenario.expected.now);
const window = { since: null, until: now };

const held = 250;

/** The scenario's first `upTo` lines cut into events.2, events.1 (rotated) and the live events.jsonl, as rotation leaves them. */
function rotatedHome(upTo = lines.length): string {
  const home = tempHome('broker-diagnose-home-');
  mkdirSync(join(home, 'logs'), { recursive: true, mode: 0o700 });
  copyFileSync(join(scenario.dir, 'state.json'), join(home, 'state.json'));
  const cuts = [0, 100, 200, upTo];
  const names = ['events.2.jsonl', 'events.1.jsonl', 'events.jsonl'];
  names.forEach((name, i) => writeFileSync(join(home, 'logs', name), `${lines.slice(cuts[i], cuts[i + 1]).join('\n')}\n`));
  return home;
}

function depsFor(home: string) {
  return createDeps({ io: capturedIo(), env: { BROKER_STORE: 'file', BROKER_PASSPHRASE: 'test' }, home, mode: 'json', now: () => now });
}

/** What a diagnosis says, without the fold it carries. */
function answer(d: HomeDiagnosis) {
  return { findings: d.findings, ruleFailures: d.ruleFailures, linesRead: d.linesRead, linesSkipped: d.linesSkipped, skipReasons: d.skipReasons };
}

describe('diagnoseHome over the whole log', () => {
  it('a rerun takes the rotated files from the checkpoint and says exactly what the first read said', async () => {
    const home = rotatedHome();
    const cold = await diagnoseHome(depsFor(home), window);
    assert.equal(cold.filesFromCheckpoint, 0);
    assert.equal(cold.linesRead, lines.length);
    assert.deepEqual(cold.findings.filter((f) => f.state === 'active').map((f) => f.id).sort(), scenario.expected.findings.map((f) => f.id).sort());
    const warm = await diagnoseHome(depsFor(home), window);
    assert.equal(warm.filesFromCheckpoint, 2);
    assert.deepEqual(answer(warm), answer(cold));
  });

  it('a checkpoint that does not parse, or belongs to other files, is ignored', async () => {
    const home = rotatedHome();
    const cold = await diagnoseHome(depsFor(home), window);
    writeFileSync(join(home, 'cache', 'doctor-checkpoint.json'), '{"key": "nope", "state": ');
    const afterGarbage = await diagnoseHome(depsFor(home), window);
    assert.equal(afterGarbage.filesFromCheckpoint, 0);
    assert.deepEqual(answer(afterGarbage), answer(cold));
    // A rotated file that is not what the checkpoint read (here: one more line) invalidates it.
    appendFileSync(join(home, 'logs', 'events.1.jsonl'), `${lines[200]}\n`);
    const changed = await diagnoseHome(depsFor(home), window);
    assert.equal(changed.filesFromCheckpoint, 0);
    assert.equal(changed.linesRead, lines.length + 1);
  });

  it('a connection added since the checkpoint makes it stale', async () => {
    const home = rotatedHome();
    await diagnoseHome(depsFor(home), window);
    const state = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8'));
    state.connections['new-one'] = { name: 'new-one', provider: 'github', kind: 'service', createdAt: '2026-01-01T00:00:00.000Z' };
    writeFileSync(join(home, 'state.json'), JSON.stringify(state));
    assert.equal((await diagnoseHome(depsFor(home), window)).filesFromCheckpoint, 0);
  });

  it('cites the same files and lines whether it read them or resumed from the checkpoint', async () => {
    const home = rotatedHome();
    const cold = await diagnoseHome(depsFor(home), window);
    const warm = await diagnoseHome(depsFor(home), window);
    const cited = (d: HomeDiagnosis) => d.findings.flatMap((f) => f.evidence.map((e) => `${e.file}:${e.line}`));
    assert.deepEqual(cited(warm), cited(cold));
    for (const place of cited(cold).filter((p) => p.startsWith('events'))) {
      const [file, line] = place.split(':') as [string, string];
      const text = readFileSync(join(home, 'logs', file), 'utf8').split('\n')[Number(line) - 1];
      assert.ok(text && lines.includes(text), `${place} is not a line of the log`);
    }
  });
});

describe('readOn', () => {
  it('reads only what was appended, and agrees with a fresh read of the same lines', async () => {
    const home = rotatedHome(held);
    const deps = depsFor(home);
    const first = await diagnoseHome(deps, window);
    appendFileSync(join(home, 'logs', 'events.jsonl'), `${lines.slice(held).join('\n')}\n`);
    const after = await readOn(deps, first.reached, window);
    assert.equal(after.linesRead, lines.length);
    const fresh = await diagnoseHome(depsFor(rotatedHome()), window);
    assert.deepEqual(after.findings.map((f) => [f.id, f.conn, f.state, f.summary]), fresh.findings.map((f) => [f.id, f.conn, f.state, f.summary]));
  });

  it('a line still being written is read whole once it is finished', async () => {
    const home = rotatedHome(held);
    const deps = depsFor(home);
    const next = lines[held]!;
    appendFileSync(join(home, 'logs', 'events.jsonl'), next.slice(0, 40));
    const first = await diagnoseHome(deps, window);
    assert.equal(first.linesSkipped, 1, 'the half line counts as skipped while it is half');
    appendFileSync(join(home, 'logs', 'events.jsonl'), `${next.slice(40)}\n`);
    const after = await readOn(deps, first.reached, window);
    assert.equal(after.linesRead, held + 2, 'the complete lines, the half one counted once more as read');
  });

  it('reads the home again when the live file was rotated away', async () => {
    const home = rotatedHome(held);
    const deps = depsFor(home);
    const first = await diagnoseHome(deps, window);
    const logs = join(home, 'logs');
    writeFileSync(join(logs, 'events.3.jsonl'), readFileSync(join(logs, 'events.2.jsonl')));
    writeFileSync(join(logs, 'events.2.jsonl'), readFileSync(join(logs, 'events.1.jsonl')));
    writeFileSync(join(logs, 'events.1.jsonl'), readFileSync(join(logs, 'events.jsonl')));
    writeFileSync(join(logs, 'events.jsonl'), `${lines.slice(held).join('\n')}\n`);
    const after = await readOn(deps, first.reached, window);
    assert.equal(after.linesRead, lines.length);
  });
});
