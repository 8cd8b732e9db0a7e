import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startGithubStandin, type GithubStandin } from '../../fixtures/providers/github-standin.js';
import { startOidcProvider, type RunningOidcProvider } from '../../fixtures/providers/oidc-provider-server.js';
import { fingerprint } from '../../src/core/fingerprint.js';
import { readEvents } from '../support/home-files.js';
import { oidcDeps, seededSecretEnv, seedOidcConnection, userinfoStatus } from '../support/oidc-connection.js';
import { runBroker } from '../support/run-broker.js';
import { tempHome } from '../support/temp-home.js';

// The doctor's actions that change something, run as a script would (--fix … --yes), each caused
// for real first and checked afterwards with the provider itself.

const fileStore = { BROKER_STORE: 'file', BROKER_PASSPHRASE: 'actions-test' };

describe('rebind-installation against the GitHub stand-in', () => {
  let gh: GithubStandin;
  before(async () => {
    gh = await startGithubStandin();
  });
  after(() => gh.close());

  it('a request for another owner is refused; the fix binds the installation that covers it, mints, and the repository answers 200', async () => {
    const home = tempHome('broker-rebind-');
    const keyFile = join(home, 'app.pem');
    writeFileSync(keyFile, gh.addApp(5151).privateKeyPem, { mode: 0o600 });
    gh.addInstallation({ id: 701, appId: 5151, account: 'acme' });
    gh.addInstallation({ id: 702, appId: 5151, account: 'globex' });
    gh.addRepo('acme/api');
    gh.addRepo('globex/billing');
    const env = { BROKER_HOME: home, ...fileStore };
    const connect = await runBroker(['connect', 'deploy', '--provider', 'github-app', '--app-id', '5151', '--installation', '701', '--installation-account', 'acme', '--private-key-file', keyFile, '--api-base-url', gh.url], { env });
    assert.equal(connect.code, 0, connect.stderr);
    const refused = await runBroker(['api', 'deploy', '/repos/globex/billing'], { env });
    assert.equal(refused.code, 1);

    const before = await runBroker(['doctor', '--json'], { env });
    const finding = (JSON.parse(before.stdout) as { findings: Array<{ id: string; subject?: string; state: string }> }).findings.find((f) => f.id === 'wrong-installation');
    assert.deepEqual([finding?.state, finding?.subject], ['active', 'globex/billing']);

    const fix = await runBroker(['doctor', '--fix', 'wrong-installation', '--conn', 'deploy', '--action', 'rebind-installation', '--yes'], { env });
    assert.equal(fix.code, 0, fix.stdout + fix.stderr);
    assert.match(fix.stdout, /^done: deploy: bound to installation 702 \(globex\) instead of 701 \(acme\); minted a token for it; GET \/repos\/globex\/billing answered 200/m);
    assert.match(fix.stdout, /^re-check: wrong-installation on deploy is gone$/m);
    const state = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')) as { connections: Record<string, { installation: { id: number; account: string } }> };
    assert.deepEqual(state.connections.deploy?.installation, { id: 702, account: 'globex' });
    const after = await runBroker(['doctor'], { env });
    assert.equal(after.code, 0, after.stdout);
    assert.match(after.stdout, /resolved error wrong-installation \(deploy\)/);
    const works = await runBroker(['api', 'deploy', '/repos/globex/billing'], { env });
    assert.equal(works.code, 0, works.stderr);
  });
});

describe('set-secret and the race loser, against the local oidc-provider', () => {
  let op: RunningOidcProvider;
  before(async () => {
    op = await startOidcProvider({ accessTokenTtl: 3600 });
  });
  after(() => op.close());

  it('set-secret: a secret rotated at the provider; the new one is piped in, kept in the token store, and the refresh with it works', async () => {
    const home = tempHome('broker-set-secret-');
    const deps = oidcDeps(op, home, { env: fileStore });
    await seedOidcConnection(deps, op, 'agent', { expiresAt: new Date(Date.now() + 3_600_000) });
    const old = op.clientSecret();
    const fresh = 'actions-test-new-client-secret-77';
    op.setClientSecret(fresh);
    try {
      const env = { BROKER_HOME: home, ...fileStore, [seededSecretEnv]: old };
      const refused = await runBroker(['refresh', 'agent'], { env });
      assert.equal(refused.code, 1, refused.stderr);
      const fix = await runBroker(['doctor', '--fix', 'client-secret-rotated', '--conn', 'agent', '--action', 'set-secret', '--yes'], { env, input: `${fresh}\n` });
      assert.equal(fix.code, 0, fix.stdout + fix.stderr);
      assert.match(fix.stdout, new RegExp(`^done: agent: stored the new client secret \\(fp ${fingerprint(fresh)}\\) in its token-store entry; its source is now keychain; the token endpoint accepted it`, 'm'));
      assert.match(fix.stdout, new RegExp(`Still holding the old secret: every other process or host that reads it from env:${seededSecretEnv}`));
      assert.match(fix.stdout, /^re-check: client-secret-rotated on agent is gone$/m);
      const state = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')) as { connections: Record<string, { clientSecretSource: string }> };
      assert.equal(state.connections.agent?.clientSecretSource, 'keychain');
      // The secret itself is nowhere but the encrypted store: not printed, not logged, not in state.
      for (const text of [fix.stdout, fix.stderr, readFileSync(join(home, 'state.json'), 'utf8'), readFileSync(join(home, 'logs', 'events.jsonl'), 'utf8')]) assert.ok(!text.includes(fresh));
      const token = await runBroker(['token', 'agent'], { env });
      assert.equal(await userinfoStatus(op, token.stdout.trim()), 200);
      const refreshed = await runBroker(['refresh', 'agent'], { env: { BROKER_HOME: home, ...fileStore } });
      assert.equal(refreshed.code, 0, 'the next refresh reads the secret from the token store, not the environment');
    } finally {
      op.setClientSecret(old);
    }
  });

  it('a refresh that lost a race, with the family revoked, says so and exits 3 instead of keeping a dead token', async () => {
    const home = tempHome('broker-race-loser-');
    const deps = oidcDeps(op, home, { env: fileStore });
    await seedOidcConnection(deps, op, 'raced');
    const env = { BROKER_HOME: home, ...fileStore, [seededSecretEnv]: op.clientSecret(), BROKER_UNSAFE_NO_REFRESH_LOCK: '1' };
    // Both present the same refresh token; the first is answered and stores its new bundle before
    // the second is answered (a reuse: the provider revokes the family), so the loser finds the
    // winner's bundle and is refused that one too.
    const hold = op.holdTokenRequests(2, { clientId: op.clientId });
    const pending = [0, 1].map(() => runBroker(['refresh', 'raced'], { env }));
    assert.equal(await hold.arrived, 2);
    await hold.releaseNext();
    const winner = await Promise.race(pending);
    assert.equal(winner.code, 0, winner.stderr);
    await hold.releaseNext();
    const runs = await Promise.all(pending);
    const codes = runs.map((r) => r.code).sort();
    assert.deepEqual(codes, [0, 3], `the loser was not told the family is gone: ${runs.map((r) => r.stderr).join('\n')}`);
    for (const r of runs) assert.doesNotMatch(r.stdout, /kept its token|kept the winner's token/, 'a dead token is never reported kept');
    assert.ok(runs.some((r) => /lost a race to another process, and the provider then refused the winner's token too: it revoked the whole token family/.test(r.stderr)), runs.map((r) => r.stderr).join('\n'));
    const doctor = await runBroker(['doctor', '--json'], { env });
    const ids = (JSON.parse(doctor.stdout) as { findings: Array<{ id: string; state: string; actions: Array<{ action: string }> }> }).findings.filter((f) => f.state === 'active');
    assert.equal(ids[0]?.id, 'refresh-race');
    assert.equal(ids[0]?.actions[0]?.action, 'relogin');
    assert.ok(readEvents(home).some((e) => e.event === 'refresh' && e.outcome === 'error'));
  });
});

describe('show-env', () => {
  it('prints the corrected proxy lines, naming proxy URLs by their variable so no password is printed', async () => {
    const home = tempHome('broker-show-env-');
    const connect = await runBroker(['connect', 'local', '--provider', 'oidc', '--issuer', 'http://127.0.0.1:4010', '--client-id', 'x', '--token-stdin'], { env: { BROKER_HOME: home }, input: 'show-env-test-token' });
    assert.equal(connect.code, 0, connect.stderr);
    const env = { BROKER_HOME: home, HTTPS_PROXY: 'http://127.0.0.1:7998', https_proxy: 'http://user:hunter2-proxy-pw@proxy.corp:3128', NO_PROXY: 'localhost' };
    const fix = await runBroker(['doctor', '--fix', 'proxy-conflict', '--action', 'show-env', '--yes'], { env });
    assert.equal(fix.code, 0, fix.stdout + fix.stderr);
    assert.match(fix.stdout, /^export HTTPS_PROXY="\$https_proxy"$/m);
    assert.match(fix.stdout, /^export NO_PROXY="\$NO_PROXY,127\.0\.0\.1"$/m);
    assert.match(fix.stdout, /^export no_proxy="\$NO_PROXY"$/m);
    assert.ok(!fix.stdout.includes('hunter2-proxy-pw') && !fix.stderr.includes('hunter2-proxy-pw'));
  });
});
