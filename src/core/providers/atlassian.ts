import type { ProviderProfile } from './types.js';

export const atlassian: ProviderProfile = {
  id: 'atlassian',
  displayName: 'Atlassian',
  endpoints: {
    authorization: 'https://auth.atlassian.com/authorize',
    token: 'https://auth.atlassian.com/oauth/token',
    identity: { url: 'https://api.atlassian.com/me', method: 'GET', accountFields: ['email', 'account_id'] },
  },
  discovery: false,
  accessTokenLifetimeSec: 3600,
  refreshTokens: 'rotating',
  // Rotation invalidates the old token after the leeway; family revocation is not documented.
  reuseRevokesFamily: false,
  // Atlassian staff: the reuse leeway was raised to 10 minutes (was 3 s).
  reuseLeewaySec: 600,
  // 90 days of inactivity (365 days absolute).
  idleWindowDays: 90,
  tokenErrorInBody200: false,
  errors: [
    // Only the description is verified for this one.
    { error: 'unauthorized_client', text: 'refresh_token is invalid', cause: 'invalid_grant' },
    { error: 'unauthorized_client', cause: 'invalid_client' },
  ],
};
