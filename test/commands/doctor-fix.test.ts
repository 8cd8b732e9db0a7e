import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startOidcProvider, type RunningOidcProvider } from '../../fixtures/providers/oidc-provider-server.js';
import { doctorCommand } from '../../src/commands/doctor.js';
import { readEvents } from '../support/home-files.js';
import { loggedEvents, oidcDeps, seedOidcConnection } from '../support/oidc-connection.js';
import { runBroker } from '../support/run-broker.js';
import { tempHome } from '../support/temp-home.js';

function homeFromScenario(name: string): { home: string; now: string } {
  const dir = new URL(`../../fixtures/scenarios/${name}/`, import.meta.url).pathname;
  const home = tempHome();
  cpSync(join(dir, 'state.json'), join(home, 'state.json'));
  mkdirSync(join(home, 'logs'));
  cpSync(join(dir, 'events.jsonl'), join(home, 'logs', 'events.jsonl'));
  return { home, now: JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')).now };
}

describe('broker doctor --fix (built binary, piped)', () => {
  it('asks before changing anything: without --yes and without a terminal it refuses and changes nothing', async () => {
    const { home, now } = homeFromScenario('new-destination');
    const r = await runBroker(['doctor', '--now', now, '--since', 'all', '--fix', 'new-destination'], { env: { BROKER_HOME: home } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /stdin is not a terminal/);
    assert.match(r.stderr, /fix: add --yes/);
    assert.ok(!readEvents(home).some((e) => e.event === 'remediation'));
  });

  it('acknowledge: runs with --yes, logs a remediation event, and the re-check and the next doctor no longer show it', async () => {
    const { home, now } = homeFromScenario('new-destination');
    const args = ['doctor', '--now', now, '--since', 'all'];
    const before = await runBroker(args, { env: { BROKER_HOME: home } });
    assert.match(before.stdout, /apply: {3}broker doctor --fix new-destination --conn linear-triage --action a/);

    const fix = await runBroker([...args, '--fix', 'new-destination', '--action', 'a', '--yes'], { env: { BROKER_HOME: home } });
    assert.equal(fix.code, 0, fix.stderr);
    assert.match(fix.stdout, /^done: acknowledged new-destination on linear-triage until .* by .+@.+$/m);
    assert.match(fix.stdout, /^re-check: new-destination on linear-triage is gone$/m);
    const remediation = readEvents(home).filter((e) => e.event === 'remediation');
    assert.deepEqual(remediation.map((e) => [e.action, e.finding, e.conn, e.outcome]), [['acknowledge', 'new-destination', 'linear-triage', 'ok']]);

    const afterward = await runBroker([...args, '--json'], { env: { BROKER_HOME: home } });
    assert.deepEqual(JSON.parse(afterward.stdout).findings.map((f: { id: string }) => f.id), []);
  });

  const usage: Array<[string, string[], RegExp]> = [
    ['an action the finding does not have', ['--fix', 'new-destination', '--action', 'z', '--yes'], /has no action "z".*\n.*a \(acknowledge\)/],
    ['--yes without --fix', ['--yes'], /--action and --yes go with --fix/],
  ];
  for (const [what, extra, message] of usage) {
    it(`${what} → exit 2`, async () => {
      const { home, now } = homeFromScenario('new-destination');
      const r = await runBroker(['doctor', '--now', now, '--since', 'all', ...extra], { env: { BROKER_HOME: home } });
      assert.equal(r.code, 2);
      assert.match(r.stderr, message);
    });
  }

  it('a finding that is not there: nothing to fix, exit 0', async () => {
    const { home, now } = homeFromScenario('healthy');
    const r = await runBroker(['doctor', '--now', now, '--fix', 'refresh-race', '--yes'], { env: { BROKER_HOME: home } });
    assert.equal(r.code, 0);
    assert.match(r.stderr, /no refresh-race finding in the window: nothing to fix/);
  });
});

describe('broker doctor --fix keepalive against the real oidc-provider', () => {
  let op: RunningOidcProvider;
  before(async () => {
    op = await startOidcProvider({ accessTokenTtl: 120 });
  });
  after(() => op.close());

  it('an idle refresh token about to expire is refreshed under the lock and the warning is gone', async () => {
    const deps = oidcDeps(op, tempHome());
    await seedOidcConnection(deps, op, 'idle-agent', { expiresAt: new Date(Date.now() + 60_000) });
    // oidc-provider's refresh tokens live 14 days from their last use: 12 days idle leaves 2.
    const twelveDaysAgo = new Date(Date.now() - 12 * 86_400_000).toISOString();
    await deps.state().update('idle-agent', (c) => ({ ...c, lastRefreshAt: twelveDaysAgo, refreshTokenObtainedAt: twelveDaysAgo, createdAt: twelveDaysAgo }));

    const code = await doctorCommand.run(doctorCommand.parse({ fix: 'idle-expiry-soon', yes: true }, []), deps);

    assert.equal(code, 0, deps.io.out() + deps.io.err());
    assert.match(deps.io.out(), /^done: idle-agent: refreshed \(generation 1, access token fp [0-9a-f]{12}\)$/m);
    assert.match(deps.io.out(), /^re-check: idle-expiry-soon on idle-agent is gone$/m);
    assert.equal(deps.state().get('idle-agent')?.generation, 1);
    const events = loggedEvents(deps);
    assert.ok(events.some((e) => e.event === 'refresh' && e.trigger === 'keepalive' && e.outcome === 'ok'));
    assert.ok(events.some((e) => e.event === 'remediation' && e.action === 'keepalive' && e.outcome === 'ok'));
  });
});
