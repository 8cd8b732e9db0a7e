// 32 concurrent `broker token` processes at expiry against the local oidc-provider (rotation on,
// reuse revokes the grant), docs/design.md §11: exactly one refresh must reach the provider. Counted on the
// provider's side, with the wall time of the burst beside it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mintTokens, startOidcProvider } from '../fixtures/providers/oidc-provider-server.js';
import { runBroker } from '../test/support/run-broker.js';
import { ms, printTable, type Row } from './report.js';

const processes = 32;
const withKeyring = fileURLToPath(new URL('../scripts/with-keyring.sh', import.meta.url));

// The token store is the OS keychain: outside a desktop session, run inside a private Secret Service.
if (!process.env.DBUS_SESSION_BUS_ADDRESS) {
  const run = spawnSync(withKeyring, [process.execPath, '--import', 'tsx', fileURLToPath(import.meta.url)], { stdio: 'inherit' });
  process.exit(run.status ?? 1);
}

const op = await startOidcProvider({ accessTokenTtl: 60 });
const home = mkdtempSync(join(tmpdir(), 'broker-bench-token-'));
try {
  const env = { BROKER_HOME: home, BENCH_CLIENT_SECRET: op.clientSecret() };
  const tokens = await mintTokens(op.issuer, { clientId: op.clientId, clientSecret: op.clientSecret() }, 'alice@example.test');
  const expired = JSON.stringify({ ...tokens, expires_in: undefined, expires_at: new Date(Date.now() - 5_000).toISOString() });
  const connect = await runBroker(
    ['connect', 'bench', '--provider', 'oidc', '--issuer', op.issuer, '--client-id', op.clientId, '--client-secret-from', 'env:BENCH_CLIENT_SECRET', '--token-stdin'],
    { env, input: expired },
  );
  if (connect.code !== 0) throw new Error(`connect failed: ${connect.stderr}`);

  const before = op.stats().grants.refresh_token ?? { ok: 0, error: 0 };
  const started = performance.now();
  const runs = await Promise.all(Array.from({ length: processes }, () => runBroker(['token', 'bench'], { env })));
  const wall = performance.now() - started;
  const after = op.stats().grants.refresh_token ?? { ok: 0, error: 0 };
  const reached = after.ok + after.error - before.ok - before.error;
  const failed = runs.filter((r) => r.code !== 0).length;
  const distinct = new Set(runs.filter((r) => r.code === 0).map((r) => r.stdout)).size;
  const userinfo = await fetch(`${op.issuer}/me`, { headers: { authorization: `Bearer ${runs[0]?.stdout.trim() ?? ''}` } });

  const rows: Row[] = [
    { figure: `refreshes reaching the provider (${processes} concurrent \`broker token\`)`, value: String(reached), target: 'exactly 1', pass: reached === 1 },
    { figure: '  refused by the provider (invalid_grant …)', value: String(after.error - before.error), target: '0', pass: after.error === before.error },
    { figure: '  processes that failed', value: String(failed), target: '0', pass: failed === 0 },
    { figure: '  distinct tokens printed', value: String(distinct), target: '1', pass: distinct === 1 },
    { figure: '  printed token at userinfo', value: `HTTP ${userinfo.status}`, target: '200', pass: userinfo.status === 200 },
    { figure: '  wall time of the burst', value: ms(wall) },
  ];
  printTable('broker token at expiry, 32 processes', rows);
} finally {
  await op.close();
  rmSync(home, { recursive: true, force: true });
}
