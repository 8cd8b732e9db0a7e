// SIGKILL at random moments during 100 `broker refresh` runs per token store, against the local
// oidc-provider (rotation on, reuse revokes the grant): how many connections need a re-login
// afterwards, whether any file was left unreadable, and how long the window is between the
// provider's answer and the stored bundle (the only moment a kill loses a connection).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startOidcProvider } from '../fixtures/providers/oidc-provider-server.js';
import { medianOf, runCrashHarness } from '../test/support/crash-harness.js';
import { homeStoreBackends } from '../test/support/home-store-backends.js';
import { printTable, type Row } from './report.js';

const kills = Number(process.env.CRASH_KILLS) || 100;
const seed = Number(process.env.CRASH_SEED) || Math.floor(Math.random() * 2 ** 31);
const withKeyring = fileURLToPath(new URL('../scripts/with-keyring.sh', import.meta.url));

// The keychain backend needs a Secret Service: outside a desktop session, run inside a private one.
if (!process.env.DBUS_SESSION_BUS_ADDRESS) {
  const run = spawnSync(withKeyring, [process.execPath, '--import', 'tsx', fileURLToPath(import.meta.url)], { stdio: 'inherit', env: { ...process.env, CRASH_SEED: String(seed) } });
  process.exit(run.status ?? 1);
}

const op = await startOidcProvider({ accessTokenTtl: 60 });
try {
  for (const [backend, storeEnv] of homeStoreBackends('crash-safety-bench')) {
    const home = mkdtempSync(join(tmpdir(), `broker-bench-crash-${backend}-`));
    try {
      const r = await runCrashHarness({ op, home, storeEnv, kills, seed });
      const ms = (v: number) => `${v.toFixed(2)} ms`;
      const rows: Row[] = [
        { figure: `SIGKILLs at random moments in [0, ${Math.round(r.killRangeMs)} ms] after spawn`, value: String(r.kills) },
        { figure: '  reached the process before it exited', value: String(r.killedMidway) },
        { figure: 'connections dead afterwards (re-login needed)', value: String(r.dead.length), target: 'as few as the provider allows' },
        { figure: 'files left unreadable (state.json, secrets.enc, store entries)', value: String(r.unreadable.length), target: '0', pass: r.unreadable.length === 0 },
        { figure: 'temp files beside state.json/secrets.enc after the kills', value: String(r.tempsAfterKills.length) },
        { figure: '  … after the next write', value: String(r.tempsAfterWrite.length), target: '0', pass: r.tempsAfterWrite.length === 0 },
        { figure: 'dead connections `broker token` still handed a token for', value: String(r.deadTokensPrinted.length), target: '0', pass: r.deadTokensPrinted.length === 0 },
        { figure: 'live connections whose `broker token` failed', value: String(r.liveTokensFailing.length), target: '0', pass: r.liveTokensFailing.length === 0 },
        { figure: `provider answer → bundle stored, median (${r.persistMs.length} refreshes)`, value: ms(medianOf(r.persistMs)) },
        { figure: 'provider answer → bundle stored, max', value: ms(Math.max(...r.persistMs)) },
      ];
      printTable(`crash safety, ${backend} store (seed ${seed})`, rows);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }
} finally {
  await op.close();
}
