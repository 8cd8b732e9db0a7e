import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mintTokens, type RunningOidcProvider } from '../../fixtures/providers/oidc-provider-server.js';
import { createDeps, type Deps } from '../../src/commands/deps.js';
import { fingerprint } from '../../src/core/fingerprint.js';
import type { HeldTokenBundle } from '../../src/core/token-bundle.js';
import { capturedIo } from './captured-io.js';
import { runBroker } from './run-broker.js';
import { readEvents } from './home-files.js';

/** The env var the seeded connections read their client secret from (clientSecretSource env:…). */
export const seededSecretEnv = 'SEEDED_OIDC_CLIENT_SECRET';

/** In-process deps on `home` whose environment holds the provider's current client secret. */
export function oidcDeps(op: RunningOidcProvider, home: string, options: { env?: Record<string, string | undefined>; now?: () => Date } = {}): Deps & { io: ReturnType<typeof capturedIo> } {
  const io = capturedIo();
  const deps = createDeps({ io, env: { ...process.env, [seededSecretEnv]: op.clientSecret(), ...options.env }, home, mode: 'text', now: options.now });
  return { ...deps, io };
}

/**
 * An oidc connection holding real tokens from a headless login as alice, stored the way connect
 * stores them. expiresAt defaults to a second ago (a refresh is due).
 */
export async function seedOidcConnection(deps: Deps, op: RunningOidcProvider, name: string, options: { expiresAt?: Date; withRefreshToken?: boolean } = {}): Promise<HeldTokenBundle> {
  const tokens = await mintTokens(op.issuer, { clientId: op.clientId, clientSecret: op.clientSecret() }, 'alice@example.test');
  const now = deps.now();
  const bundle: HeldTokenBundle = {
    access_token: tokens.access_token,
    refresh_token: options.withRefreshToken === false ? undefined : tokens.refresh_token,
    expires_at: (options.expiresAt ?? new Date(now.getTime() - 1000)).toISOString(),
    scope: tokens.scope,
  };
  await deps.tokens().write(name, bundle);
  await deps.state().add({
    name,
    provider: 'oidc',
    kind: 'service',
    account: 'alice@example.test',
    scopes: ['openid', 'email'],
    clientId: op.clientId,
    clientSecretSource: `env:${seededSecretEnv}`,
    issuer: op.issuer,
    createdAt: now.toISOString(),
    generation: 0,
    accessTokenFp: fingerprint(bundle.access_token),
    refreshTokenFp: bundle.refresh_token ? fingerprint(bundle.refresh_token) : undefined,
    accessTokenExpiresAt: bundle.expires_at,
    acknowledgements: [],
  });
  return bundle;
}

/** The home's event log, parsed (empty when nothing was written yet). */
export function loggedEvents(deps: Pick<Deps, 'paths'>): Array<Record<string, unknown>> {
  return existsSync(deps.paths.events) ? readEvents(deps.paths.root) : [];
}

/** HTTP status of the provider's userinfo endpoint for a token: 200 means the token works. */
export async function userinfoStatus(op: RunningOidcProvider, accessToken: string): Promise<number> {
  const response = await fetch(`${op.issuer}/me`, { headers: { authorization: `Bearer ${accessToken}` } });
  await response.arrayBuffer();
  return response.status;
}

export function refreshGrantCount(op: RunningOidcProvider): { ok: number; error: number } {
  return op.stats().grants.refresh_token ?? { ok: 0, error: 0 };
}

/** Creates oidc connections through the built binary, each pinned to `account`, with the secret from OIDC_SECRET. */
export async function connectOidcAccounts(op: RunningOidcProvider, home: string, names: string[], account: string): Promise<void> {
  for (const name of names) {
    const r = await runBroker(
      ['connect', name, '--provider', 'oidc', '--issuer', op.issuer, '--client-id', op.clientId, '--client-secret-from', 'env:OIDC_SECRET', '--account', account, '--scopes', 'openid,email,offline_access'],
      { env: { BROKER_HOME: home, OIDC_SECRET: op.clientSecret() } },
    );
    assert.equal(r.code, 0, r.stderr);
  }
}
