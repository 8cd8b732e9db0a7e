import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { RunningOidcProvider } from '../../fixtures/providers/oidc-provider-server.js';
import { homePaths } from '../../src/adapters/home.js';
import { RefreshRefusedError, refreshUnderLock } from '../../src/adapters/refresh-under-lock.js';
import { parseStateText } from '../../src/adapters/state-store.js';
import { exitCodes } from '../../src/core/exit-codes.js';
import { oidcDeps, seedOidcConnection, seededSecretEnv, userinfoStatus } from './oidc-connection.js';
import { brokerBin, runBroker } from './run-broker.js';

// SIGKILL at random moments during refreshes against the real oidc-provider (rotation on, reuse
// revokes the grant). One connection per kill, each its own grant: a kill that lands after the
// provider rotated the refresh token and before the new bundle was stored leaves that connection
// needing a re-login, and only that one. Used by test/e2e/crash-safety.test.ts and
// bench/crash-safety.bench.ts.

export interface CrashHarnessOptions {
  op: RunningOidcProvider;
  home: string;
  storeEnv: Record<string, string | undefined>;
  kills: number;
  seed: number;
}

export interface CrashHarnessResult {
  kills: number;
  /** Processes the SIGKILL reached before they exited. */
  killedMidway: number;
  /** The kill came after the process had exited: the refresh finished. */
  finishedFirst: number;
  /** Kill moments are uniform over [0, this] ms after spawn: an unkilled `broker refresh`'s median wall time. */
  killRangeMs: number;
  /** Connections that need a re-login afterwards (their refresh token was refused). */
  dead: string[];
  /** state.json, secrets.enc or store entries that do not parse, found right after the kills. */
  unreadable: string[];
  /** Temp files writers left beside state.json and secrets.enc, after the kills and after one more write. */
  tempsAfterKills: string[];
  tempsAfterWrite: string[];
  /** Dead connections that `broker token` still handed a token out for (must be none). */
  deadTokensPrinted: string[];
  /** Live connections whose `broker token` failed or whose token the provider refused. */
  liveTokensFailing: string[];
  /** Provider answer → bundle stored, in ms, from every refresh that completed (killed runs that finished, and the checks after). */
  persistMs: number[];
}

/** Deterministic 32-bit generator, so a run is repeated by its seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function runCrashHarness(options: CrashHarnessOptions): Promise<CrashHarnessResult> {
  const { op, home, storeEnv, kills } = options;
  const random = mulberry32(options.seed);
  const deps = oidcDeps(op, home, { env: storeEnv });
  const childEnv = { ...process.env, BROKER_HOME: home, [seededSecretEnv]: op.clientSecret(), ...storeEnv };
  const names = Array.from({ length: kills }, (_, i) => `c${i}`);
  const calibration = ['cal0', 'cal1', 'cal2'];
  // Not due for an hour: `broker token` hands the stored token out without a refresh, so it must
  // know on its own when that token is dead.
  const fresh = new Date(Date.now() + 3600_000);
  for (const name of [...calibration, ...names]) await seedOidcConnection(deps, op, name, { expiresAt: fresh });

  const walls: number[] = [];
  for (const name of calibration) {
    const started = performance.now();
    const r = await runBroker(['refresh', name], { env: childEnv });
    if (r.code !== 0) throw new Error(`calibration refresh failed: ${r.stderr}`);
    walls.push(performance.now() - started);
  }
  const killRangeMs = walls.sort((a, b) => a - b)[1] as number;

  let killedMidway = 0;
  for (const name of names) {
    const delay = random() * killRangeMs;
    const signal = await new Promise<NodeJS.Signals | null>((resolve, reject) => {
      const child = spawn(process.execPath, [brokerBin, 'refresh', name], { env: childEnv, stdio: 'ignore' });
      const timer = setTimeout(() => child.kill('SIGKILL'), delay);
      child.on('error', reject);
      child.on('exit', (_code, sig) => {
        clearTimeout(timer);
        resolve(sig);
      });
    });
    if (signal === 'SIGKILL') killedMidway++;
  }

  const paths = homePaths(home);
  const unreadable = await unreadableFiles(deps, paths, storeEnv);
  const tempsAfterKills = leftoverTemps(home);

  const dead: string[] = [];
  for (const name of names) {
    try {
      await refreshUnderLock(deps, { conn: name, trigger: 'manual' });
    } catch (err) {
      if (err instanceof RefreshRefusedError && err.exitCode === exitCodes.loginNeeded) dead.push(name);
      else throw err;
    }
  }
  const tempsAfterWrite = leftoverTemps(home);

  const deadTokensPrinted: string[] = [];
  const liveTokensFailing: string[] = [];
  for (const name of names) {
    const r = await runBroker(['token', name], { env: childEnv });
    if (dead.includes(name)) {
      if (r.code !== exitCodes.loginNeeded || r.stdout !== '') deadTokensPrinted.push(name);
    } else if (r.code !== 0 || (await userinfoStatus(op, r.stdout.trim())) !== 200) {
      liveTokensFailing.push(name);
    }
  }

  const persistMs = readFileSync(paths.events, 'utf8')
    .split('\n')
    .filter((line) => line.includes('"persist_ms"'))
    .map((line) => (JSON.parse(line) as { persist_ms: number }).persist_ms);
  return { kills, killedMidway, finishedFirst: kills - killedMidway, killRangeMs, dead, unreadable, tempsAfterKills, tempsAfterWrite, deadTokensPrinted, liveTokensFailing, persistMs };
}

async function unreadableFiles(deps: ReturnType<typeof oidcDeps>, paths: ReturnType<typeof homePaths>, storeEnv: Record<string, string | undefined>): Promise<string[]> {
  const unreadable: string[] = [];
  try {
    parseStateText(readFileSync(paths.state, 'utf8'));
  } catch (err) {
    unreadable.push(`state.json: ${(err as Error).message}`);
  }
  if (storeEnv.BROKER_STORE === 'file') {
    try {
      JSON.parse(readFileSync(paths.secretsFile, 'utf8'));
    } catch (err) {
      unreadable.push(`secrets.enc: ${(err as Error).message}`);
    }
  }
  // Every entry opens and parses as a bundle: the store's own health check.
  const status = await deps.tokens().status();
  if (!status.available) unreadable.push(`token store: ${status.problem}`);
  for (const entry of status.damaged ?? []) unreadable.push(`token store entry ${entry}`);
  return unreadable;
}

function leftoverTemps(home: string): string[] {
  return readdirSync(home).filter((name) => /^(state\.json|secrets\.enc)\.(tmp-|\d+\.tmp$)/.test(name));
}

export function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length === 0 ? Number.NaN : sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
