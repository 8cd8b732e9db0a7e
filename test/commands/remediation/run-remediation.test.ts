import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createDeps } from '../../../src/commands/deps.js';
import { acknowledge } from '../../../src/commands/remediation/actions/acknowledge.js';
import { restartHolder } from '../../../src/commands/remediation/actions/restart-holder.js';
import { runRemediation } from '../../../src/commands/remediation/run-remediation.js';
import { diagnoseEvents } from '../../../src/core/diagnose.js';
import { defineRule, type Finding, type Rule } from '../../../src/core/findings.js';
import { planRemediation, pickAction } from '../../../src/core/remediation.js';
import { ConnectionSchema } from '../../../src/core/state-schema.js';
import { capturedIo } from '../../support/captured-io.js';
import { tempHome } from '../../support/temp-home.js';
import { readEvents } from '../../support/home-files.js';

const now = new Date('2026-11-22T03:00:00.000Z');

function homeWith(connection: Record<string, unknown>) {
  const home = tempHome();
  const deps = createDeps({ io: capturedIo(), env: {}, home, mode: 'text', now: () => now });
  return { home, deps, ready: deps.state().add(ConnectionSchema.parse({ provider: 'github', kind: 'service', createdAt: now.toISOString(), ...connection })) };
}

const finding = (id: string, conn: string, actions: Finding['actions']): Finding => ({ id, severity: 'warning', conn, summary: `${conn}: ${id}`, evidence: [], actions, state: 'active' });

describe('runRemediation', () => {
  it('acknowledge records who and until when, logs a remediation event, and the re-check no longer shows the finding', async () => {
    const { home, deps, ready } = homeWith({ name: 'agent-gh' });
    await ready;
    const target = finding('new-destination', 'agent-gh', [{ key: 'a', action: 'acknowledge', label: 'Acknowledge' }]);
    const alwaysFinds: Rule = defineRule({ id: 'new-destination', severity: 'warning', start: () => null, finish: () => [target] });
    const recheck = async () => diagnoseEvents({ connections: deps.state().list(), now, env: {}, store: { backend: 'keychain', reason: 'default', available: true } }, [], [alwaysFinds]).findings;
    assert.equal((await recheck()).length, 1, 'the finding is there before the fix');

    const plan = planRemediation(target, pickAction(target, 'a')!);
    assert.equal(plan.action, 'acknowledge');
    const result = await runRemediation(plan, deps, { acknowledge }, recheck);

    assert.equal(result.ok, true);
    assert.equal(result.held, true);
    const ack = deps.state().get('agent-gh')?.acknowledgements[0];
    assert.equal(ack?.id, 'new-destination');
    assert.equal(ack?.until, '2026-11-29T03:00:00.000Z');
    assert.match(ack?.by ?? '', /.+@.+/);
    const [logged] = readEvents(home);
    assert.deepEqual([logged?.event, logged?.action, logged?.finding, logged?.outcome, logged?.conn], ['remediation', 'acknowledge', 'new-destination', 'ok', 'agent-gh']);
    assert.match(String(logged?.operator), /.+@.+/);
  });

  it('restart-holder runs the configured command; a failing command is reported, logged, and the finding stays', async () => {
    const marker = join(tempHome(), 'restarted');
    const { home, deps, ready } = homeWith({ name: 'ok-holder', holderCommand: `echo restarted > ${marker}` });
    await ready;
    await deps.state().add(ConnectionSchema.parse({ name: 'bad-holder', provider: 'github', kind: 'service', createdAt: now.toISOString(), holderCommand: 'echo boom >&2; exit 7' }));
    const stale = (conn: string) => finding('stale-token', conn, [{ key: 'r', action: 'restart-holder', label: 'Restart' }]);
    const noneAfter = async () => [];

    const good = await runRemediation(planRemediation(stale('ok-holder'), pickAction(stale('ok-holder'))!), deps, { 'restart-holder': restartHolder }, noneAfter);
    assert.equal(good.ok, true);
    assert.equal(readFileSync(marker, 'utf8').trim(), 'restarted');

    const bad = await runRemediation(planRemediation(stale('bad-holder'), pickAction(stale('bad-holder'))!), deps, { 'restart-holder': restartHolder }, async () => [stale('bad-holder')]);
    assert.equal(bad.ok, false);
    assert.match(bad.detail, /exited 7: boom/);
    assert.equal(bad.held, false);
    assert.deepEqual(readEvents(home).map((e) => e.outcome), ['ok', 'error']);
  });

  it('an action with no executor fails clearly instead of pretending', async () => {
    const { deps, ready } = homeWith({ name: 'x' });
    await ready;
    const f = finding('clock-skew', 'x', [{ key: 'r', action: 'refresh', label: 'Refresh' }]);
    const result = await runRemediation(planRemediation(f, pickAction(f)!), deps, {}, async () => [f]);
    assert.equal(result.ok, false);
    assert.match(result.detail, /cannot run here/);
  });
});
