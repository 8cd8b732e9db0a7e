import type { ProviderProfile } from './types.js';

// Lifetime and rotation come from third-party sources only; the token-endpoint error body is unknown,
// so errors fall back to the standard OAuth `error` field.
export const linear: ProviderProfile = {
  id: 'linear',
  displayName: 'Linear',
  endpoints: {
    authorization: 'https://linear.app/oauth/authorize',
    token: 'https://api.linear.app/oauth/token',
    identity: { url: 'https://api.linear.app/graphql', method: 'POST', accountFields: ['data.viewer.email'] },
    revocation: 'https://api.linear.app/oauth/revoke',
  },
  discovery: false,
  accessTokenLifetimeSec: 86400,
  refreshTokens: 'rotating',
  // Not documented: assume reuse revokes the family.
  reuseRevokesFamily: true,
  tokenErrorInBody200: false,
  errors: [
    // Linear's rate limit arrives as HTTP 400 with extensions.code RATELIMITED.
    { code: 'RATELIMITED', cause: 'rate_limited' },
    { code: 'AUTHENTICATION_ERROR', cause: 'invalid_grant' },
    { code: 'FORBIDDEN', cause: 'insufficient_scope' },
  ],
};
