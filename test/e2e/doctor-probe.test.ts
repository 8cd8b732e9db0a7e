import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startOidcProvider, type RunningOidcProvider } from '../../fixtures/providers/oidc-provider-server.js';
import { fingerprint } from '../../src/core/fingerprint.js';
import { loggedEvents, oidcDeps, refreshGrantCount, seededSecretEnv, seedOidcConnection, userinfoStatus } from '../support/oidc-connection.js';
import { runBroker } from '../support/run-broker.js';
import { tempHome } from '../support/temp-home.js';

// broker doctor --probe against the real oidc-provider: the live answer comes before anything fails.

interface ProbeDoc {
  findings: Array<{ id: string; conn: string; state: string; summary: string }>;
  probes: Array<{ conn: string; check: string; outcome: string; detail: string }>;
}

describe('broker doctor --probe', () => {
  let op: RunningOidcProvider;
  let silent: Server;
  const sockets: Socket[] = [];
  before(async () => {
    op = await startOidcProvider({ accessTokenTtl: 3600 });
    // A provider that takes the connection and never says a word.
    silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    silent.close();
    await op.close();
  });

  const doctor = (home: string, secret: string, extra: string[] = []) =>
    runBroker(['doctor', '--probe', '--json', ...extra], { env: { BROKER_HOME: home, BROKER_STORE: 'file', BROKER_PASSPHRASE: 'probe-test', [seededSecretEnv]: secret } });
  const homeWith = async () => {
    const home = tempHome('broker-probe-');
    const deps = oidcDeps(op, home, { env: { BROKER_STORE: 'file', BROKER_PASSPHRASE: 'probe-test' } });
    const bundle = await seedOidcConnection(deps, op, 'agent', { expiresAt: new Date(Date.now() + 3_600_000) });
    return { home, deps, bundle };
  };

  it('a healthy connection: the client is accepted and the identity is the account; nothing is refreshed, the refresh token still works', async () => {
    const { home, deps, bundle } = await homeWith();
    const grantsBefore = refreshGrantCount(op);
    const r = await doctor(home, op.clientSecret());
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const doc = JSON.parse(r.stdout) as ProbeDoc;
    assert.deepEqual(doc.probes.map((p) => `${p.conn} ${p.check} ${p.outcome}`), ['agent token-endpoint ok', 'agent identity ok']);
    assert.match(doc.probes[1]!.detail, /answered as alice@example\.test/);
    assert.deepEqual(doc.findings.filter((f) => f.state === 'active'), []);
    // The made-up refresh token was refused (that is the probe); the real one was never presented.
    assert.deepEqual(refreshGrantCount(op), { ok: grantsBefore.ok, error: grantsBefore.error + 1 });
    assert.equal(loggedEvents(deps).filter((e) => e.event === 'refresh').length, 0);
    const refreshed = await runBroker(['refresh', 'agent'], { env: { BROKER_HOME: home, BROKER_STORE: 'file', BROKER_PASSPHRASE: 'probe-test', [seededSecretEnv]: op.clientSecret() } });
    assert.equal(refreshed.code, 0, refreshed.stderr);
    assert.equal(await userinfoStatus(op, bundle.access_token), 200);
  });

  it('a secret rotated at the provider, with no failed refresh in the log: named at once, exit 1', async () => {
    const { home, deps } = await homeWith();
    const old = op.clientSecret();
    op.setClientSecret('probe-rotated-secret-2');
    try {
      const r = await doctor(home, old);
      assert.equal(r.code, 1, r.stderr);
      const doc = JSON.parse(r.stdout) as ProbeDoc;
      const [finding] = doc.findings.filter((f) => f.state === 'active');
      assert.equal(finding?.id, 'client-secret-rotated');
      assert.equal(finding?.conn, 'agent');
      assert.match(finding!.summary, /rejects the client secret since .*invalid_client/);
      assert.ok(!loggedEvents(deps).some((e) => e.event === 'refresh'), 'no refresh was needed to find it');
      assert.ok(!r.stdout.includes(old) && !r.stdout.includes('probe-rotated-secret-2'));
    } finally {
      op.setClientSecret(old);
    }
  });

  it('a provider that never answers: every probe is bounded by the deadline, the silence is itself a finding, the others are still checked', async () => {
    const { home, deps } = await homeWith();
    const issuer = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
    await deps.tokens().write('stuck', { access_token: 'probe-stuck-access-token', refresh_token: 'probe-stuck-refresh-token' });
    await deps.state().add({ name: 'stuck', provider: 'oidc', kind: 'service', scopes: [], clientId: 'stuck-client', issuer, createdAt: new Date().toISOString(), generation: 0, accessTokenFp: fingerprint('probe-stuck-access-token'), refreshTokenFp: fingerprint('probe-stuck-refresh-token'), acknowledgements: [] });
    const started = performance.now();
    const r = await doctor(home, op.clientSecret());
    const elapsed = performance.now() - started;
    assert.equal(r.code, 1, r.stdout.slice(0, 3000) + r.stderr);
    const doc = JSON.parse(r.stdout) as ProbeDoc;
    assert.deepEqual(doc.probes.map((p) => `${p.conn} ${p.check} ${p.outcome}`).sort(), ['agent identity ok', 'agent token-endpoint ok', 'stuck token-endpoint error']);
    assert.match(doc.probes.find((p) => p.conn === 'stuck')!.detail, /no answer within 2 s/);
    assert.deepEqual(doc.findings.filter((f) => f.state === 'active').map((f) => `${f.id} ${f.conn}`), ['provider-unreachable stuck']);
    // The default request timeout is 15 s: a whole command well under it proves the deadline held.
    assert.ok(elapsed < 6000, `broker doctor --probe took ${Math.round(elapsed)} ms`);
    process.stdout.write(`# doctor --probe with one silent provider: ${Math.round(elapsed)} ms wall, node start-up included\n`);
  });
});
