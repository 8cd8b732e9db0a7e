import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import type { LocalProviders } from '../../adapters/local-providers.js';
import { fingerprint } from '../../core/fingerprint.js';
import { withoutCiVariables } from '../../core/personal-in-ci.js';
import type { Connection } from '../../core/state-schema.js';
import type { HeldTokenBundle } from '../../core/token-bundle.js';
import { createDeps, type Deps, type Io } from '../deps.js';

// The demo's home: a temporary folder on the file token store with a fixed passphrase (so it runs
// on a machine without a keychain), holding connections with real tokens from the local providers.

/** The file store's passphrase in every demo home: the home is temporary and its providers are local. */
export const demoPassphrase = 'broker-demo-passphrase';

const day = 24 * 3600_000;

export interface DemoHome {
  root: string;
  providers: LocalProviders;
  /** What every broker of the demo runs with: this home, the file store and its passphrase, outside CI. */
  env: Record<string, string | undefined>;
  /** In-process deps on the home, for one caller (extra: BROKER_AGENT, CI …); what it prints is kept, not shown. */
  deps(extra?: Record<string, string | undefined>): Deps & { said(): string };
  now(): Date;
  remove(): void;
}

export function makeDemoHome(providers: LocalProviders, parentEnv: Readonly<Record<string, string | undefined>>, now: () => Date = () => new Date()): DemoHome {
  const root = mkdtempSync(join(tmpdir(), 'broker-demo-'));
  // The demo decides who runs in CI (one refused hand-out): the CI of the shell it was started from is not part of the story.
  const env = { ...withoutCiVariables(parentEnv), BROKER_HOME: root, BROKER_STORE: 'file', BROKER_PASSPHRASE: demoPassphrase, BROKER_UNSAFE_NO_REFRESH_LOCK: undefined };
  return {
    root,
    providers,
    env,
    deps: (extra = {}) => {
      const io = quietIo();
      return { ...createDeps({ io, env: { ...env, ...extra }, home: root, mode: 'text', now }), said: io.said };
    },
    now,
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** stdin empty; stdout dropped (a `broker token` prints the token there); stderr kept to say why a step failed. */
function quietIo(): Io & { said(): string } {
  let said = '';
  return {
    stdin: Readable.from([]),
    stdout: new PassThrough().resume(),
    stderr: new Writable({ write: (chunk: Buffer, _enc, done) => ((said += chunk.toString('utf8')), done()) }),
    said: () => said,
  };
}

export interface OidcSeed {
  name: string;
  kind?: 'service' | 'personal';
  account: string;
  client: { clientId: string; clientSecret: string };
  /** keychain (default): the client secret in the token store; file: in a file of the home (which an operator can edit). */
  secretIn?: 'keychain' | 'file';
  /** How long ago the connection was made. */
  createdAgoMs: number;
  /** How long ago its current tokens were obtained (default: when it was made); the access token lives an hour. */
  obtainedAgoMs?: number;
  generation?: number;
}

/**
 * An oidc connection as the broker keeps one, with real tokens: a headless login at the local
 * provider, stored in the token store and state.json (the times say when, so a connection can look
 * like one made months ago). Returns the refresh token, for the provider's side of a story.
 */
export async function seedOidcConnection(demo: DemoHome, seed: OidcSeed): Promise<{ refreshToken: string; connection: Connection }> {
  const { mintTokens } = await import('../../../fixtures/providers/oidc-provider-server.js');
  const oidc = demo.providers.oidc;
  const tokens = await mintTokens(oidc.issuer, seed.client, seed.account);
  const now = demo.now().getTime();
  const obtainedAt = now - (seed.obtainedAgoMs ?? seed.createdAgoMs);
  const secretFile = join(demo.root, `${seed.name}.client-secret`);
  if (seed.secretIn === 'file') writeFileSync(secretFile, `${seed.client.clientSecret}\n`, { mode: 0o600 });
  const bundle: HeldTokenBundle = {
    access_token: tokens.access_token,
    refresh_token: tokens.refresh_token,
    expires_at: new Date(obtainedAt + 3600_000).toISOString(),
    scope: tokens.scope,
    ...(seed.secretIn === 'file' ? {} : { client_secret: seed.client.clientSecret }),
  };
  const deps = demo.deps();
  await deps.tokens().write(seed.name, bundle);
  const refreshed = (seed.generation ?? 0) > 0;
  const connection: Connection = {
    name: seed.name,
    provider: 'oidc',
    kind: seed.kind ?? 'service',
    account: seed.account,
    scopes: ['openid', 'email', 'offline_access'],
    clientId: seed.client.clientId,
    clientSecretSource: seed.secretIn === 'file' ? `file:${secretFile}` : 'keychain',
    issuer: oidc.issuer,
    createdAt: new Date(now - seed.createdAgoMs).toISOString(),
    accessTokenExpiresAt: bundle.expires_at,
    refreshTokenObtainedAt: new Date(obtainedAt).toISOString(),
    ...(refreshed ? { lastRefreshAt: new Date(obtainedAt).toISOString() } : {}),
    lastUsedAt: new Date(obtainedAt).toISOString(),
    generation: seed.generation ?? 0,
    accessTokenFp: fingerprint(bundle.access_token),
    refreshTokenFp: fingerprint(tokens.refresh_token),
    // The login was made with this secret: it is the one that last worked.
    clientSecretFp: fingerprint(seed.client.clientSecret),
    acknowledgements: [],
  };
  await deps.state().add(connection);
  return { refreshToken: tokens.refresh_token, connection };
}

export const ago = { days: (n: number) => n * day, minutes: (n: number) => n * 60_000 };
