import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { homePaths } from '../../src/adapters/home.js';
import { openStateStore } from '../../src/adapters/state-store.js';
import { ConnectionSchema } from '../../src/core/state-schema.js';
import { runBroker, type BrokerRun } from '../support/run-broker.js';
import { tempHome } from '../support/temp-home.js';

const canaryAccess = 'canary-status-access-5e1d9f';
const canaryRefresh = 'canary-status-refresh-c04b7a';
const minutesFromNow = (m: number): string => new Date(Date.now() + m * 60_000).toISOString();

function assertNoSecret(r: BrokerRun): void {
  for (const canary of [canaryAccess, canaryRefresh, 'canary-status']) {
    assert.ok(!r.stdout.includes(canary) && !r.stderr.includes(canary), `a token leaked into the output:\n${r.stdout}${r.stderr}`);
  }
  assert.ok(!r.stdout.includes('\u001b'), 'piped output carries an escape sequence');
}

/** A home with a canary token in the real keychain (through `broker connect`) and two more connections. */
async function seededHome(extra: { unhealthy: boolean }): Promise<string> {
  const home = tempHome();
  const input = JSON.stringify({ access_token: canaryAccess, refresh_token: canaryRefresh, expires_in: 3600, scope: 'openid offline_access' });
  const connect = await runBroker(['connect', 'okta-agent', '--provider', 'oidc', '--issuer', 'https://acme.okta.example/', '--kind', 'personal', '--account', 'sam@acme.example', '--token-stdin'], { env: { BROKER_HOME: home }, input });
  assert.equal(connect.code, 0, connect.stderr);
  const state = openStateStore(homePaths(home));
  await state.add(ConnectionSchema.parse({ name: 'gh-ci-bot', provider: 'github', kind: 'service', account: 'acme-ci-bot', scopes: ['repo'], createdAt: minutesFromNow(-600), accessTokenFp: '3f9c2e71a0b4' }));
  if (extra.unhealthy) {
    await state.add(
      ConnectionSchema.parse({ name: 'slack-alerts', provider: 'slack', kind: 'service', account: 'U07ALERTBOT', createdAt: minutesFromNow(-900), accessTokenExpiresAt: minutesFromNow(-185), accessTokenFp: '8e3b6f0a9d12' }),
    );
    await state.add(
      ConnectionSchema.parse({
        name: 'graph-mail', provider: 'microsoft', kind: 'service', createdAt: minutesFromNow(-900), accessTokenFp: 'c5a90e2d47b1', refreshTokenFp: '70e4b8d1f96c',
        lastRefreshAt: minutesFromNow(-240), lastError: { at: minutesFromNow(-61), status: 401, error: 'invalid_client', description: 'AADSTS7000215: Invalid client secret provided.' },
      }),
    );
  }
  return home;
}

describe('broker status (piped)', () => {
  it('prints the store line and an aligned table; exit 0 when all is healthy; no token anywhere', async () => {
    const home = await seededHome({ unhealthy: false });
    const r = await runBroker(['status'], { env: { BROKER_HOME: home } });
    assertNoSecret(r);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'token store: keychain (default: the OS keychain)');
    const header = lines[1] ?? '';
    assert.match(header, /^NAME\s+PROVIDER\s+KIND\s+ACCOUNT\s+SCOPES\s+ACCESS TOKEN\s+LAST REFRESH\s+IDLE\s+LAST ERROR\s+HEALTH$/);
    const okta = lines.find((l) => l.startsWith('okta-agent')) ?? '';
    assert.match(okta, /oidc\s+personal\s+sam@acme\.example\s+openid,offline_access\s+expires in 59 min\s+never\s+idle \d+ s\s+-\s+ok$/);
    // Aligned: every cell starts where its header does (empty cells show "-").
    for (const column of ['PROVIDER', 'KIND', 'ACCOUNT', 'SCOPES', 'ACCESS TOKEN', 'LAST REFRESH', 'IDLE', 'LAST ERROR', 'HEALTH']) {
      const at = header.indexOf(column);
      for (const row of lines.slice(2)) assert.ok(row[at - 1] === ' ' && row[at] !== ' ', `column ${column} is not aligned in "${row}"`);
    }
    assert.equal(lines.length, 4);
  });

  it('exit 1 when a connection is unhealthy, worst first; --conn NAME adds its details', async () => {
    const home = await seededHome({ unhealthy: true });
    const all = await runBroker(['status'], { env: { BROKER_HOME: home } });
    assertNoSecret(all);
    assert.equal(all.code, 1, all.stdout + all.stderr);
    const names = all.stdout.split('\n').slice(2).filter(Boolean).map((l) => l.split(/\s+/)[0]);
    assert.deepEqual(names, ['graph-mail', 'slack-alerts', 'gh-ci-bot', 'okta-agent']);
    assert.match(all.stdout, /graph-mail .*invalid_client \(401\) 1 h ago\s+critical\n/);
    assert.match(all.stdout, /slack-alerts .*expired 3 h ago .*error\n/);

    const one = await runBroker(['status', '--conn', 'graph-mail'], { env: { BROKER_HOME: home } });
    assert.equal(one.code, 1);
    assert.doesNotMatch(one.stdout, /slack-alerts/);
    assert.match(one.stdout, /error detail\s+AADSTS7000215: Invalid client secret provided\./);
    assert.match(one.stdout, /refresh token\s+fp 70e4b8d1f96c/);

    const healthy = await runBroker(['status', '--conn', 'gh-ci-bot'], { env: { BROKER_HOME: home } });
    assert.equal(healthy.code, 0, healthy.stdout);
  });

  it('an empty home says how to start', async () => {
    const r = await runBroker(['status'], { env: { BROKER_HOME: tempHome() } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /no connections yet — broker connect NAME --provider P --token-stdin/);
  });

  it('names the unavailable store and exits 1', async () => {
    const home = await seededHome({ unhealthy: false });
    const r = await runBroker(['status'], { env: { BROKER_HOME: home, BROKER_STORE: 'file', BROKER_PASSPHRASE: '' } });
    assertNoSecret(r);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^token store: file \(BROKER_STORE=file/);
    assert.match(r.stdout, /\nstore unavailable: the file token store needs BROKER_PASSPHRASE/);
  });
});

describe('broker status --json', () => {
  it('keeps the docs/design.md §2 names, and the exit code matches the text form', async () => {
    const home = await seededHome({ unhealthy: true });
    const r = await runBroker(['status', '--json'], { env: { BROKER_HOME: home } });
    assertNoSecret(r);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, '');
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(doc.store, { backend: 'keychain', reason: 'default: the OS keychain', available: true, damaged: [] });
    for (const c of doc.connections) {
      for (const key of ['name', 'provider', 'kind', 'account', 'health', 'accessTokenExpiresAt', 'lastRefreshAt', 'lastError']) assert.ok(key in c, `${c.name} lacks ${key}`);
    }
    const byName = Object.fromEntries(doc.connections.map((c: { name: string }) => [c.name, c]));
    assert.deepEqual(Object.keys(byName), ['graph-mail', 'slack-alerts', 'gh-ci-bot', 'okta-agent']);
    assert.equal(byName['graph-mail'].health, 'critical');
    assert.equal(byName['graph-mail'].lastError.error, 'invalid_client');
    assert.equal(byName['slack-alerts'].health, 'error');
    assert.equal(byName['okta-agent'].health, 'ok');
    assert.equal(byName['okta-agent'].account, 'sam@acme.example');
    assert.equal(byName['gh-ci-bot'].accessTokenExpiresAt, null);
    assert.match(byName['okta-agent'].accessTokenFp, /^[0-9a-f]{12}$/);
  });

  it('exit 0 for a healthy home', async () => {
    const r = await runBroker(['status', '--json'], { env: { BROKER_HOME: await seededHome({ unhealthy: false }) } });
    assert.equal(r.code, 0, r.stdout);
    assert.deepEqual(JSON.parse(r.stdout).connections.map((c: { health: string }) => c.health), ['ok', 'ok']);
  });
});

describe('broker status: bad input', () => {
  it('--conn of an unknown name exits 2 and says so', async () => {
    const home = await seededHome({ unhealthy: false });
    for (const args of [['status', '--conn', 'nope'], ['status', '--json', '--conn', 'nope']]) {
      const r = await runBroker(args, { env: { BROKER_HOME: home } });
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /no connection named "nope"/);
    }
  });

  it('a corrupt state.json exits 2, names the file, and leaves it byte for byte', async () => {
    const home = tempHome();
    const path = homePaths(home).state;
    writeFileSync(path, '{"version": 1, "homeId": "0123456789abcdef", "connections": {"x": ', { mode: 0o600 });
    const sha = (): string => createHash('sha256').update(readFileSync(path)).digest('hex');
    const before = sha();
    for (const args of [['status'], ['status', '--json']]) {
      const r = await runBroker(args, { env: { BROKER_HOME: home } });
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.ok(r.stderr.includes(path), r.stderr);
      assert.equal(r.stdout, '');
    }
    assert.equal(sha(), before);
  });

  it('takes no positional arguments', async () => {
    const r = await runBroker(['status', 'extra'], { env: { BROKER_HOME: tempHome() } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /status --conn NAME/);
  });
});
