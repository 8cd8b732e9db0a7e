import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startGithubStandin } from '../../fixtures/providers/github-standin.js';
import { mintTokens, startOidcProvider, type RunningOidcProvider } from '../../fixtures/providers/oidc-provider-server.js';
import { unsafeNoLockEnv } from '../../src/adapters/refresh-lock.js';
import { runBroker, type BrokerRun } from '../support/run-broker.js';
import { tempHome } from '../support/temp-home.js';

// The doctor over logs the real broker wrote against a real OpenID provider (rotation on, reuse
// revokes the grant): not fixtures written to match the rules, but the events as they happen.

const secretEnv = 'DOCTOR_E2E_CLIENT_SECRET';
const noProxy = { HTTPS_PROXY: '', https_proxy: '', HTTP_PROXY: '', http_proxy: '', ALL_PROXY: '', all_proxy: '', NO_PROXY: '', no_proxy: '' };
let op: RunningOidcProvider;
before(async () => {
  op = await startOidcProvider({ accessTokenTtl: 60 });
});
after(() => op.close());

async function expiredConnection(home: string, name: string): Promise<void> {
  const tokens = await mintTokens(op.issuer, { clientId: op.clientId, clientSecret: op.clientSecret() }, 'alice@example.test');
  const input = JSON.stringify({ ...tokens, expires_in: undefined, expires_at: new Date(Date.now() - 5_000).toISOString() });
  const r = await runBroker(
    ['connect', name, '--provider', 'oidc', '--issuer', op.issuer, '--client-id', op.clientId, '--client-secret-from', `env:${secretEnv}`, '--account', 'alice@example.test', '--token-stdin'],
    { env: { BROKER_HOME: home, ...noProxy }, input },
  );
  assert.equal(r.code, 0, r.stderr);
}

function env(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return { BROKER_HOME: home, [secretEnv]: op.clientSecret(), ...noProxy, ...extra };
}

async function doctorJson(home: string): Promise<{ run: BrokerRun; doc: { findings: Array<{ id: string; conn: string; summary: string; evidence: unknown[] }> } }> {
  const run = await runBroker(['doctor', '--json'], { env: env(home) });
  return { run, doc: JSON.parse(run.stdout) };
}

describe('broker doctor over a real broker log', () => {
  it('names the refresh race the unlocked broker causes, and nothing else', async () => {
    const home = tempHome();
    await expiredConnection(home, 'agent');
    await Promise.all(Array.from({ length: 6 }, () => runBroker(['token', 'agent'], { env: env(home, { [unsafeNoLockEnv]: '1' }) })));
    const { run, doc } = await doctorJson(home);
    assert.equal(run.code, 1, run.stderr);
    assert.deepEqual(doc.findings.map((f) => `${f.id} ${f.conn}`), ['refresh-race agent'], run.stdout);
    assert.match(doc.findings[0]!.summary, /^agent: \d+ processes refreshed the same token at \d\d:\d\d:\d\d UTC; pid \d+ on \S+ lost with invalid_grant/);
    assert.ok(doc.findings[0]!.evidence.length >= 2);
  });

  it('with the lock the same burst is healthy', async () => {
    const home = tempHome();
    await expiredConnection(home, 'agent');
    await Promise.all(Array.from({ length: 6 }, () => runBroker(['token', 'agent'], { env: env(home) })));
    const { run, doc } = await doctorJson(home);
    assert.equal(run.code, 0, run.stdout);
    assert.deepEqual(doc.findings, []);
  });

  it('names a client secret rotated at the provider', async () => {
    const home = tempHome();
    await expiredConnection(home, 'svc');
    const first = await runBroker(['refresh', 'svc'], { env: env(home) });
    assert.equal(first.code, 0, first.stderr);
    const oldSecret = op.clientSecret();
    op.setClientSecret(`rotated-${Date.now()}`);
    try {
      const failed = await runBroker(['refresh', 'svc'], { env: env(home, { [secretEnv]: oldSecret }) });
      assert.notEqual(failed.code, 0);
      const run = await runBroker(['doctor', '--json'], { env: env(home, { [secretEnv]: oldSecret }) });
      const doc = JSON.parse(run.stdout);
      assert.equal(run.code, 1, run.stderr);
      assert.deepEqual(doc.findings.map((f: { id: string; conn: string }) => `${f.id} ${f.conn}`), ['client-secret-rotated svc']);
      assert.match(doc.findings[0].summary, /rejects the client secret since .* \(invalid_client\); env:DOCTOR_E2E_CLIENT_SECRET still holds the secret that worked \(fp [0-9a-f]{12}\): it was rotated at the provider/);
      assert.ok(!run.stdout.includes(oldSecret) && !run.stdout.includes(op.clientSecret()), 'a client secret reached stdout');
    } finally {
      op.setClientSecret(oldSecret);
    }
  });
});

describe('broker doctor over a real GitHub App log (the stand-in)', () => {
  it('names the wrong installation after `broker api` is refused another owner\'s repository', async () => {
    const gh = await startGithubStandin();
    try {
      const home = tempHome();
      const keyFile = join(home, 'app.pem');
      writeFileSync(keyFile, gh.addApp(4242).privateKeyPem, { mode: 0o600 });
      gh.addInstallation({ id: 777, appId: 4242, account: 'acme' });
      gh.addRepo('acme/api');
      gh.addRepo('globex/billing');
      const e = { BROKER_HOME: home, ...noProxy };
      const connect = await runBroker(['connect', 'acme-bot', '--provider', 'github-app', '--app-id', '4242', '--installation', '777', '--installation-account', 'acme', '--private-key-file', keyFile, '--api-base-url', gh.url], { env: e });
      assert.equal(connect.code, 0, connect.stderr);
      assert.equal((await runBroker(['api', 'acme-bot', '/repos/acme/api'], { env: e })).code, 0);
      const healthy = await runBroker(['doctor', '--json'], { env: e });
      assert.equal(healthy.code, 0, healthy.stdout);
      assert.notEqual((await runBroker(['api', 'acme-bot', '/repos/globex/billing'], { env: e })).code, 0);
      const run = await runBroker(['doctor', '--json'], { env: e });
      assert.equal(run.code, 1, run.stderr);
      const doc = JSON.parse(run.stdout);
      assert.deepEqual(doc.findings.map((f: { id: string; conn: string }) => `${f.id} ${f.conn}`), ['wrong-installation acme-bot']);
      // broker api refuses it before sending (identity before the call): the refusal is the evidence.
      assert.match(doc.findings[0].summary, /^acme-bot: 1 request for repositories of globex were refused by the broker \(last GET \/repos\/globex\/billing at .*\); installation 777 belongs to acme$/);
      assert.deepEqual(doc.findings[0].actions.map((a: { action: string }) => a.action), ['rebind-installation']);
    } finally {
      await gh.close();
    }
  });
});
