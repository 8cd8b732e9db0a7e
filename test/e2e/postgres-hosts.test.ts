import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mintTokens, startOidcProvider, type ProviderStats, type RunningOidcProvider } from '../../fixtures/providers/oidc-provider-server.js';
import { unsafeNoLockEnv } from '../../src/adapters/refresh-lock.js';
import { fingerprint } from '../../src/core/fingerprint.js';
import { makeHost, type Host } from '../support/hosts.js';
import { userinfoStatus } from '../support/oidc-connection.js';
import { brokerStoreEnv, dumpDatabase, startPostgresCluster, type BrokerDatabase, type PostgresCluster } from '../support/postgres-cluster.js';

// Issue 9 "must show": three hosts × 16 concurrent `broker token` at expiry, sharing one
// PostgreSQL store, against the real oidc-provider (rotation on, reuse revokes the grant). Each
// host is its own process tree with its own hostname and home; only the database is shared.

const perHost = 16;
const hostNames = ['h1', 'h2', 'h3'];
const secretEnv = 'HOSTS_TEST_CLIENT_SECRET';

let cluster: PostgresCluster;
let op: RunningOidcProvider;
before(async () => {
  [cluster, op] = await Promise.all([startPostgresCluster(), startOidcProvider({ accessTokenTtl: 60 })]);
});
after(async () => {
  await op?.close();
  cluster?.destroy();
});

interface Fleet {
  db: BrokerDatabase;
  hosts: Host[];
  oncall: Host;
  minted: { access_token: string; refresh_token: string };
}

/** Three hosts and an on-call host on a fresh database holding one oidc connection whose access token has expired. */
async function fleet(extraEnv: Record<string, string> = {}): Promise<Fleet> {
  const db = await cluster.createDatabase();
  const env = { ...brokerStoreEnv(db), [secretEnv]: op.clientSecret(), [unsafeNoLockEnv]: '', ...extraEnv };
  const hosts = hostNames.map((name) => makeHost(name, env));
  const oncall = makeHost('oncall', env);
  const minted = await mintTokens(op.issuer, { clientId: op.clientId, clientSecret: op.clientSecret() }, 'alice@example.test');
  const input = JSON.stringify({ ...minted, expires_in: undefined, expires_at: new Date(Date.now() - 5_000).toISOString() });
  const connect = await oncall.run(
    ['connect', 'agent', '--provider', 'oidc', '--issuer', op.issuer, '--client-id', op.clientId, '--client-secret-from', `env:${secretEnv}`, '--account', 'alice@example.test', '--token-stdin'],
    { input },
  );
  assert.equal(connect.code, 0, connect.stderr);
  return { db, hosts, oncall, minted };
}

function refreshDelta(before: ProviderStats, after: ProviderStats): { ok: number; error: number } {
  const b = before.grants.refresh_token ?? { ok: 0, error: 0 };
  const a = after.grants.refresh_token ?? { ok: 0, error: 0 };
  return { ok: a.ok - b.ok, error: a.error - b.error };
}

interface EventRow {
  id: string;
  host: string;
  doc: Record<string, unknown>;
}

async function tableEvents(db: BrokerDatabase): Promise<EventRow[]> {
  return (await cluster.admin<EventRow>(db.name, 'SELECT id, host, doc FROM broker.events ORDER BY ts, id')).rows;
}

/** Every host's callers at once, started in turn (h1, h2, h3, h1, …) so that no host gets a head start. */
function everyHostAtOnce(hosts: Host[]) {
  const order = Array.from({ length: perHost }, () => hosts).flat();
  return Promise.all(order.map((host) => host.run(['token', 'agent'], { timeoutMs: 60_000 }).then((r) => ({ host: host.name, ...r }))));
}

describe(`${hostNames.length} hosts × ${perHost} concurrent broker token at expiry, one PostgreSQL store`, () => {
  it('with the lock: one refresh reaches the provider, every caller prints the same working token, no invalid_grant', async () => {
    const { db, hosts, minted } = await fleet();
    const before = op.stats();
    const runs = await everyHostAtOnce(hosts);
    const after = op.stats();

    for (const r of runs) assert.equal(r.code, 0, `${r.host}: ${r.stderr}`);
    const printed = new Set(runs.map((r) => r.stdout));
    assert.equal(printed.size, 1, `${printed.size} different outputs`);
    const token = [...printed][0]!.trimEnd();
    assert.notEqual(token, minted.access_token, 'the expired token was refreshed');
    assert.equal(await userinfoStatus(op, token), 200, 'the token works at userinfo');
    assert.deepEqual(refreshDelta(before, after), { ok: 1, error: 0 }, 'refresh grants counted by the provider');
    assert.equal(after.grantsRevoked, before.grantsRevoked);

    const events = await tableEvents(db);
    const refreshes = events.filter((e) => e.doc.event === 'refresh');
    assert.equal(refreshes.filter((e) => e.doc.outcome === 'ok' && !e.doc.adopted).length, 1, 'one refresh, the others adopted its token');
    assert.equal(refreshes.filter((e) => e.doc.outcome !== 'ok').length, 0);
    assert.ok(!events.some((e) => e.doc.error === 'invalid_grant'));
    const handed = events.filter((e) => e.doc.event === 'token');
    assert.equal(handed.length, hostNames.length * perHost);
    assert.deepEqual(new Set(handed.map((e) => e.doc.at_fp)), new Set([fingerprint(token)]));
    assert.deepEqual(new Set(handed.map((e) => e.doc.generation)), new Set([1]));
    // Every event keeps the host that wrote it, and every host wrote.
    assert.deepEqual(new Set(events.map((e) => e.host)), new Set([...hostNames, 'oncall']));
    assert.ok(events.every((e) => e.doc.host === e.host));

    // pg_dump of the whole database holds no token, refresh token or client secret, not even 8 characters of one.
    const dump = dumpDatabase(cluster, db);
    assert.ok(dump.includes('broker.token_bundles'), 'the dump has the bundles table');
    for (const [what, secret] of Object.entries({ token, minted_access: minted.access_token, minted_refresh: minted.refresh_token, client_secret: op.clientSecret() })) {
      assert.ok(!dump.includes(secret), `${what} is in the dump`);
      assert.ok(!dump.includes(secret.slice(0, 8)), `the first 8 characters of ${what} are in the dump`);
    }
  });

  it('without the lock (test-only switch) the race is back across hosts, and the doctor on another host names it with both hostnames', async () => {
    const { db, hosts, oncall } = await fleet({ [unsafeNoLockEnv]: '1' });
    const before = op.stats();
    await everyHostAtOnce(hosts);
    const after = op.stats();
    const delta = refreshDelta(before, after);
    assert.ok(delta.ok + delta.error >= 2, `refreshes reaching the provider: ${JSON.stringify(delta)}`);
    assert.ok(delta.error >= 1, 'at least one refresh was refused');
    assert.ok(after.grantsRevoked > before.grantsRevoked, 'the provider revoked the grant on reuse');

    const events = await tableEvents(db);
    const winner = events.find((e) => e.doc.event === 'refresh' && e.doc.outcome === 'ok' && !e.doc.adopted);
    assert.ok(winner, 'one refresh won');
    const losers = events.filter((e) => e.doc.event === 'refresh' && e.doc.outcome === 'error' && e.doc.rt_fp === winner.doc.rt_fp);
    assert.ok(losers.some((e) => e.host !== winner.host), 'a host other than the winner\'s lost the race');

    const doctor = await oncall.run(['doctor', '--json', '--since', '1h']);
    assert.equal(doctor.code, 1, doctor.stderr);
    const report = JSON.parse(doctor.stdout) as { store: { backend: string; reason: string }; findings: Array<{ id: string; summary: string; evidence: Array<{ file: string; line: number; text: string }> }> };
    assert.equal(report.store.backend, 'postgres');
    assert.ok(!report.store.reason.includes(db.password), 'the password is not in the report');
    const race = report.findings.find((f) => f.id === 'refresh-race');
    assert.ok(race, `no refresh-race among ${report.findings.map((f) => f.id).join(', ')}`);
    const named = new Set([race.summary, ...race.evidence.map((e) => e.text)].flatMap((text) => hostNames.filter((h) => new RegExp(`\\b(on|host=)${h}\\b`).test(text))));
    assert.ok(named.size >= 2, `the race names ${[...named].join(', ') || 'no host'}: ${race.summary}\n${race.evidence.map((e) => e.text).join('\n')}`);
    assert.ok(named.has(winner.host), 'the winner\'s host is named');
    // Evidence cites rows of the shared table.
    assert.ok(race.evidence.every((e) => e.file === 'events' && events.some((row) => Number(row.id) === e.line)));
  });
});
