import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mintTokens, startOidcProvider, type RunningOidcProvider } from '../../fixtures/providers/oidc-provider-server.js';
import { brokerStoreEnv, startPostgresCluster, type PostgresCluster } from '../support/postgres-cluster.js';
import { runBroker } from '../support/run-broker.js';
import { startServe } from '../support/serve-process.js';
import { tempHome } from '../support/temp-home.js';

// broker serve on the shared store (§13, §14): its agents and connections come from the database
// (re-read in the background, so an agent added on another host is known within a second), and
// while the database is away it keeps handing out the valid token it holds, and says so.

let cluster: PostgresCluster;
let op: RunningOidcProvider;
before(async () => {
  [cluster, op] = await Promise.all([startPostgresCluster(), startOidcProvider({ accessTokenTtl: 3600 })]);
});
after(async () => {
  await op?.close();
  cluster?.destroy();
});

/** Polls (never sleeps) until the answer satisfies `done`, or fails after `timeoutMs`. */
async function until(ask: () => Promise<Response>, done: (r: Response) => boolean, what: string, timeoutMs = 15_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await ask();
    if (done(r)) return r;
    await r.arrayBuffer();
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what} (last: HTTP ${r.status})`);
  }
}

describe('broker serve with BROKER_STORE=postgres', () => {
  it('serves agents and tokens from the database, sees an agent added elsewhere, and rides out the database going away', async () => {
    const db = await cluster.createDatabase();
    const env = { ...brokerStoreEnv(db), BROKER_HOME: tempHome(), SERVE_PG_SECRET: op.clientSecret() };
    const minted = await mintTokens(op.issuer, { clientId: op.clientId, clientSecret: op.clientSecret() }, 'alice@example.test');
    const connect = await runBroker(['connect', 'work', '--provider', 'oidc', '--issuer', op.issuer, '--client-id', op.clientId, '--client-secret-from', 'env:SERVE_PG_SECRET', '--token-stdin'], { env, input: JSON.stringify(minted) });
    assert.equal(connect.code, 0, connect.stderr);
    const added = await runBroker(['agent', 'add', 'bot', '--conn', 'work'], { env });
    assert.equal(added.code, 0, added.stderr);
    const key = added.stdout.trim();
    const stored = (await cluster.admin<{ document: { agents: Record<string, { keyHash: string }> } }>(db.name, 'SELECT document FROM broker.state_document')).rows[0]!.document;
    assert.ok(stored.agents.bot?.keyHash.match(/^[a-f0-9]{64}$/), 'the agent is in the database, by its key hash');
    assert.ok(!JSON.stringify(stored).includes(key), 'never the key itself');

    const serve = await startServe(env);
    try {
      const token = (k: string) => fetch(`${serve.url}/v1/token/work`, { headers: { authorization: `Bearer ${k}` } });
      const first = await token(key);
      assert.equal(first.status, 200, await first.clone().text());
      assert.equal(((await first.json()) as { access_token: string }).access_token, minted.access_token);

      // Another host adds an agent: serve knows it once it has read the database again.
      const elsewhere = await runBroker(['agent', 'add', 'bot2', '--conn', 'work'], { env: { ...env, BROKER_HOME: tempHome() } });
      assert.equal(elsewhere.code, 0, elsewhere.stderr);
      await until(() => token(elsewhere.stdout.trim()), (r) => r.status === 200, 'serve to know the agent added elsewhere');

      cluster.stop();
      try {
        const warned = await until(() => token(key), (r) => r.headers.has('x-broker-warning'), 'serve to say the database is away');
        assert.equal(warned.status, 200);
        assert.equal(((await warned.json()) as { access_token: string }).access_token, minted.access_token, 'the token it holds, still valid');
        assert.match(warned.headers.get('x-broker-warning') ?? '', /PostgreSQL store \S+ cannot be used/);
        assert.ok(!(warned.headers.get('x-broker-warning') ?? '').includes(db.password));
      } finally {
        cluster.start();
      }
      await until(() => token(key), (r) => r.status === 200 && !r.headers.has('x-broker-warning'), 'serve to recover once the database is back');
    } finally {
      const stopped = await serve.stop();
      assert.equal(stopped.code, 0, serve.stderr());
    }
  });
});
