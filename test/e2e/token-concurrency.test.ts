import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { mintTokens, startOidcProvider, type ProviderStats, type RunningOidcProvider } from '../../fixtures/providers/oidc-provider-server.js';
import { homePaths } from '../../src/adapters/home.js';
import { unsafeNoLockEnv } from '../../src/adapters/refresh-lock.js';
import { fingerprint } from '../../src/core/fingerprint.js';
import { loggedEvents, userinfoStatus } from '../support/oidc-connection.js';
import { runBroker, type BrokerRun } from '../support/run-broker.js';
import { tempHome } from '../support/temp-home.js';

// docs/design.md §7 / issue 3 "must show": 32 concurrent `broker token` processes at expiry against a
// provider that rotates refresh tokens and revokes the grant when a used one comes back.
// With the lock, exactly one refresh reaches the provider and all 32 print the same working token;
// without it (test-only switch) the race happens and the grant is revoked, so the test can fail.

const processes = 32;
const secretEnv = 'CONCURRENCY_TEST_CLIENT_SECRET';
let op: RunningOidcProvider;
before(async () => {
  op = await startOidcProvider({ accessTokenTtl: 60 });
});
after(() => op.close());

/** A connection whose access token has expired, holding real tokens from a headless login. */
async function expiredConnection(home: string, name: string): Promise<{ refresh_token: string; access_token: string }> {
  const tokens = await mintTokens(op.issuer, { clientId: op.clientId, clientSecret: op.clientSecret() }, 'alice@example.test');
  const input = JSON.stringify({ ...tokens, expires_in: undefined, expires_at: new Date(Date.now() - 5_000).toISOString() });
  const r = await runBroker(
    ['connect', name, '--provider', 'oidc', '--issuer', op.issuer, '--client-id', op.clientId, '--client-secret-from', `env:${secretEnv}`, '--account', 'alice@example.test', '--token-stdin'],
    { env: { BROKER_HOME: home }, input },
  );
  assert.equal(r.code, 0, r.stderr);
  return tokens;
}


function refreshDelta(before: ProviderStats, after: ProviderStats): { ok: number; error: number } {
  const b = before.grants.refresh_token ?? { ok: 0, error: 0 };
  const a = after.grants.refresh_token ?? { ok: 0, error: 0 };
  return { ok: a.ok - b.ok, error: a.error - b.error };
}

const readEvents = (home: string) => loggedEvents({ paths: homePaths(home) });

function runTokens(home: string, name: string, extraEnv: Record<string, string> = {}): Promise<BrokerRun[]> {
  const env = { BROKER_HOME: home, [secretEnv]: op.clientSecret(), [unsafeNoLockEnv]: '', ...extraEnv };
  return Promise.all(Array.from({ length: processes }, () => runBroker(['token', name], { env })));
}

describe(`${processes} concurrent broker token processes at expiry`, () => {
  it('with the refresh lock: one refresh reaches the provider, all print the same working token, no invalid_grant', async () => {
    const home = tempHome();
    const minted = await expiredConnection(home, 'agent');
    const before = op.stats();
    const runs = await runTokens(home, 'agent');
    const after = op.stats();

    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    const printed = new Set(runs.map((r) => r.stdout));
    assert.equal(printed.size, 1, `${printed.size} different outputs`);
    const token = [...printed][0]?.trimEnd() ?? '';
    assert.match(runs[0]?.stdout ?? '', /^\S+\n$/, 'stdout is the token and nothing else');
    assert.notEqual(token, minted.access_token, 'the expired token was refreshed');
    assert.equal(await userinfoStatus(op, token), 200, 'the token works at userinfo');

    assert.deepEqual(refreshDelta(before, after), { ok: 1, error: 0 }, 'refresh grants counted by the provider');
    assert.equal(after.grantsRevoked, before.grantsRevoked);

    const events = readEvents(home);
    const refreshes = events.filter((e) => e.event === 'refresh');
    assert.equal(refreshes.filter((e) => e.outcome === 'ok' && !e.adopted).length, 1);
    // The others either waited for the lock and adopted the new token, or started after it was stored.
    assert.ok(refreshes.filter((e) => e.adopted === true).length <= processes - 1);
    assert.equal(refreshes.filter((e) => e.outcome === 'error').length, 0);
    assert.ok(!events.some((e) => e.error === 'invalid_grant'), 'no invalid_grant in the event log');
    const handed = events.filter((e) => e.event === 'token');
    assert.equal(handed.length, processes);
    assert.deepEqual(new Set(handed.map((e) => e.at_fp)), new Set([fingerprint(token)]));
    assert.deepEqual(new Set(handed.map((e) => e.generation)), new Set([1]));
    const log = readFileSync(homePaths(home).events, 'utf8');
    assert.ok(!log.includes(token) && !log.includes(minted.refresh_token) && !log.includes(op.clientSecret()), 'no secret in the log');
  });

  it('without the lock (test-only switch) the race is back: several refreshes, invalid_grant, the grant revoked', async () => {
    const home = tempHome();
    await expiredConnection(home, 'agent');
    const before = op.stats();
    const runs = await runTokens(home, 'agent', { [unsafeNoLockEnv]: '1' });
    const after = op.stats();

    const delta = refreshDelta(before, after);
    assert.ok(delta.ok + delta.error >= 2, `refreshes reaching the provider: ${JSON.stringify(delta)}`);
    assert.ok(delta.error >= 1, 'at least one refresh was refused');
    assert.ok(after.grantsRevoked > before.grantsRevoked, 'the provider revoked the grant on reuse');
    assert.ok(after.grantErrors.slice(before.grantErrors.length).some((e) => e.detail === 'refresh token already used'));

    const events = readEvents(home);
    assert.ok(events.some((e) => e.event === 'refresh' && e.outcome === 'error' && e.error === 'invalid_grant'), 'invalid_grant is in the event log');
    // The family is gone: whatever the race left in the store no longer works.
    const stored = runs.map((r) => r.stdout.trim()).filter(Boolean);
    const statuses = await Promise.all([...new Set(stored)].map((t) => userinfoStatus(op, t)));
    assert.ok(statuses.every((s) => s === 401), `userinfo answered ${statuses.join(',')}`);
  });
});
