import type { ProviderProfile } from './types.js';

export const microsoft: ProviderProfile = {
  id: 'microsoft',
  displayName: 'Microsoft Entra ID',
  endpoints: {
    authorization: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize',
    token: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token',
    deviceAuthorization: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/devicecode',
    identity: { url: 'https://graph.microsoft.com/v1.0/me', method: 'GET', accountFields: ['userPrincipalName', 'mail'] },
  },
  discovery: false,
  accessTokenLifetimeSec: 3600,
  refreshTokens: 'rotating',
  // A new refresh token comes back on every use but the old one is not revoked: reuse is not a failure.
  reuseRevokesFamily: false,
  // 90 days, reset by each use (AADSTS700082).
  idleWindowDays: 90,
  tokenErrorInBody200: false,
  // The AADSTS code carries the cause; Microsoft says not to branch on the description, so codes
  // come from error_codes (or the description's prefix) and unknown codes fall back to `error`.
  errors: [
    { code: '7000215', cause: 'invalid_client' },
    { code: '7000222', cause: 'expired_client_secret' },
    { code: '700082', cause: 'idle_expired' },
    { code: '50173', cause: 'consent_revoked' },
    { code: '65001', cause: 'consent_revoked' },
    { code: '50057', cause: 'account_disabled' },
    // SPA refresh tokens have a fixed 24 h life: an expiry, not something a keep-alive prevents.
    { code: '700084', cause: 'invalid_grant' },
    { code: '700024', cause: 'clock_skew' },
    { error: 'Authorization_RequestDenied', cause: 'insufficient_scope' },
    { error: 'TooManyRequests', cause: 'rate_limited' },
    { error: 'InvalidAuthenticationToken', cause: 'invalid_grant' },
  ],
};
