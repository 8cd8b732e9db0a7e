import type { ProviderProfile } from './types.js';

export const google: ProviderProfile = {
  id: 'google',
  displayName: 'Google',
  endpoints: {
    authorization: 'https://accounts.google.com/o/oauth2/v2/auth',
    token: 'https://oauth2.googleapis.com/token',
    deviceAuthorization: 'https://oauth2.googleapis.com/device/code',
    identity: { url: 'https://openidconnect.googleapis.com/v1/userinfo', method: 'GET', accountFields: ['email', 'sub'] },
    revocation: 'https://oauth2.googleapis.com/revoke',
  },
  discovery: false,
  accessTokenLifetimeSec: 3600,
  // Google does not rotate: the same refresh token is reused on every refresh.
  refreshTokens: 'static',
  reuseRevokesFamily: false,
  // Revoked after 6 months unused (7 days for External apps in "Testing").
  idleWindowDays: 183,
  tokenErrorInBody200: false,
  errors: [
    // "Token has been expired or revoked." covers revocation, idle, Testing 7 days, password change, the 100-token limit.
    { error: 'invalid_grant', text: 'invalid jwt', cause: 'clock_skew' },
    { error: 'invalid_grant', text: 'account not found', cause: 'account_disabled' },
    { error: 'invalid_grant', cause: 'invalid_grant' },
    { error: 'invalid_client', cause: 'invalid_client' },
    { error: 'unauthorized_client', cause: 'invalid_client' },
    { error: 'deleted_client', cause: 'invalid_client' },
    { error: 'disabled_client', cause: 'invalid_client' },
    { code: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT', cause: 'insufficient_scope' },
    { error: 'insufficient_scope', cause: 'insufficient_scope' },
    { error: 'RESOURCE_EXHAUSTED', cause: 'rate_limited' },
    { error: 'UNAUTHENTICATED', cause: 'invalid_grant' },
    { error: 'PERMISSION_DENIED', cause: 'insufficient_scope' },
  ],
};
