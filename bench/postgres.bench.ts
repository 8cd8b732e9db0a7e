// The PostgreSQL store (DESIGN §11, §14): a cached `broker token` on postgres against the file store
// (both as ratios to a bare `node -e 0` of the same run, runs interleaved), and 48 callers on 3 hosts
// at expiry against the local oidc-provider (rotation on, reuse revokes the grant): wall time of the
// burst and the refreshes that reached the provider, counted on its side. Hosts are processes in
// their own UTS namespace (unshare -u, so this needs root) with their own home.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintTokens, startOidcProvider } from '../fixtures/providers/oidc-provider-server.js';
import { makeHost } from '../test/support/hosts.js';
import { brokerStoreEnv, startPostgresCluster } from '../test/support/postgres-cluster.js';
import { brokerBin, runBroker } from '../test/support/run-broker.js';
import { median, ms, printTable, type Row } from './report.js';

const runs = 21;
const hosts = 3;
const perHost = 16;

const scratch = mkdtempSync(join(tmpdir(), 'broker-bench-pg-'));
const cluster = await startPostgresCluster();
const op = await startOidcProvider({ accessTokenTtl: 60 });
try {
  // --- cached broker token: file store, postgres (passphrase), postgres (key file)
  const cachedInput = JSON.stringify({ access_token: 'bench-cached-token', expires_in: 8 * 3600 });
  const keyFile = join(scratch, 'store.key');
  writeFileSync(keyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
  const fileEnv = { BROKER_HOME: mkdtempSync(join(scratch, 'file-')), BROKER_STORE: 'file', BROKER_PASSPHRASE: 'bench-passphrase' };
  const pgEnv = { ...brokerStoreEnv(await cluster.createDatabase('bench'), 'bench-passphrase'), BROKER_HOME: mkdtempSync(join(scratch, 'pg-')) };
  const pgKeyEnv = { ...brokerStoreEnv(await cluster.createDatabase('bench'), ''), BROKER_KEY_FILE: keyFile, BROKER_HOME: mkdtempSync(join(scratch, 'pgkey-')) };
  for (const env of [fileEnv, pgEnv, pgKeyEnv]) {
    const connect = await runBroker(['connect', 'cached', '--provider', 'github', '--token-stdin'], { env, input: cachedInput });
    if (connect.code !== 0) throw new Error(`connect failed: ${connect.stderr}`);
  }
  const commands: Record<string, { args: string[]; env?: Record<string, string> }> = {
    bare: { args: ['-e', '0'] },
    file: { args: [brokerBin, 'token', 'cached'], env: fileEnv },
    postgres: { args: [brokerBin, 'token', 'cached'], env: pgEnv },
    'postgres, key file': { args: [brokerBin, 'token', 'cached'], env: pgKeyEnv },
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) {
    for (const [name, { args, env }] of Object.entries(commands)) {
      const start = performance.now();
      const run = spawnSync(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      times[name]!.push(performance.now() - start);
      if (run.status !== 0) throw new Error(`${name}: exited ${run.status}: ${run.stderr}`);
    }
  }
  const bare = median(times.bare!);
  const ratio = (name: string) => median(times[name]!) / bare;
  const cachedRows: Row[] = [
    { figure: 'bare node -e 0 (median)', value: ms(bare) },
    { figure: '`broker token` cached, file store', value: `${ms(median(times.file!))} = ${ratio('file').toFixed(2)}×`, target: '≤ 1.7× bare node', pass: ratio('file') <= 1.7 },
    { figure: '`broker token` cached, postgres (BROKER_PASSPHRASE)', value: `${ms(median(times.postgres!))} = ${ratio('postgres').toFixed(2)}×`, target: '≤ 1.7× bare node', pass: ratio('postgres') <= 1.7 },
    { figure: '`broker token` cached, postgres (BROKER_KEY_FILE)', value: `${ms(median(times['postgres, key file']!))} = ${ratio('postgres, key file').toFixed(2)}×`, target: '≤ 1.7× bare node', pass: ratio('postgres, key file') <= 1.7 },
    { figure: '  postgres over the file store', value: `${(median(times.postgres!) - median(times.file!)).toFixed(0)} ms` },
  ];
  printTable(`cached broker token, ${runs} interleaved runs each`, cachedRows);

  // --- 48 callers on 3 hosts at expiry, one shared store
  const db = await cluster.createDatabase('bench');
  const env = { ...brokerStoreEnv(db), BENCH_CLIENT_SECRET: op.clientSecret() };
  const fleet = Array.from({ length: hosts }, (_, i) => makeHost(`h${i + 1}`, env, mkdtempSync(join(scratch, `h${i + 1}-`))));
  const tokens = await mintTokens(op.issuer, { clientId: op.clientId, clientSecret: op.clientSecret() }, 'alice@example.test');
  const expired = JSON.stringify({ ...tokens, expires_in: undefined, expires_at: new Date(Date.now() - 5_000).toISOString() });
  const seeded = await fleet[0]!.run(['connect', 'bench', '--provider', 'oidc', '--issuer', op.issuer, '--client-id', op.clientId, '--client-secret-from', 'env:BENCH_CLIENT_SECRET', '--token-stdin'], { input: expired });
  if (seeded.code !== 0) throw new Error(`connect failed: ${seeded.stderr}`);
  const before = op.stats().grants.refresh_token ?? { ok: 0, error: 0 };
  const order = Array.from({ length: perHost }, () => fleet).flat();
  const started = performance.now();
  const burst = await Promise.all(order.map((host) => host.run(['token', 'bench'], { timeoutMs: 120_000 })));
  const wall = performance.now() - started;
  const after = op.stats().grants.refresh_token ?? { ok: 0, error: 0 };
  const reached = after.ok + after.error - before.ok - before.error;
  const failed = burst.filter((r) => r.code !== 0).length;
  const distinct = new Set(burst.filter((r) => r.code === 0).map((r) => r.stdout)).size;
  const userinfo = await fetch(`${op.issuer}/me`, { headers: { authorization: `Bearer ${burst[0]?.stdout.trim() ?? ''}` } });
  const lockWaits = (await cluster.admin<{ wait: number }>(db.name, "SELECT (doc->>'lock_wait_ms')::float AS wait FROM broker.events WHERE event = 'refresh'")).rows.map((r) => r.wait);
  printTable(`broker token at expiry, ${hosts} hosts × ${perHost} callers on one PostgreSQL store`, [
    { figure: 'refreshes reaching the provider', value: String(reached), target: 'exactly 1', pass: reached === 1 },
    { figure: '  refused by the provider (invalid_grant …)', value: String(after.error - before.error), target: '0', pass: after.error === before.error },
    { figure: '  callers that failed', value: String(failed), target: '0', pass: failed === 0 },
    { figure: '  distinct tokens printed', value: String(distinct), target: '1', pass: distinct === 1 },
    { figure: '  printed token at userinfo', value: `HTTP ${userinfo.status}`, target: '200', pass: userinfo.status === 200 },
    { figure: '  wall time of the burst (48 processes on this machine)', value: ms(wall) },
    { figure: '  longest wait for the lock', value: ms(Math.max(...lockWaits)), target: '< 12 s (the lock timeout)', pass: Math.max(...lockWaits) < 12_000 },
  ]);
} finally {
  await op.close();
  cluster.destroy();
  rmSync(scratch, { recursive: true, force: true });
}
