import type { ProviderProfile } from './types.js';

/** Any OpenID provider; endpoints come from the issuer's discovery document. Defaults are node-oidc-provider's. */
export const oidc: ProviderProfile = {
  id: 'oidc',
  displayName: 'OpenID Connect',
  endpoints: {
    identity: { method: 'GET', accountFields: ['sub', 'email'] },
  },
  discovery: true,
  accessTokenLifetimeSec: 3600,
  refreshTokens: 'rotating',
  // oidc-provider revokes the whole grant (the winner's new token too) when a used token comes back.
  reuseRevokesFamily: true,
  // ttl.RefreshToken defaults to 14 days and each rotation issues a fresh TTL, so it acts as an idle window.
  idleWindowDays: 14,
  tokenErrorInBody200: false,
  errors: [
    // oidc-provider always answers "grant request is invalid"; the real cause stays server-side.
    { error: 'invalid_client', text: 'client secret is expired', cause: 'expired_client_secret' },
    { error: 'expired_token', cause: 'invalid_grant' },
  ],
};
