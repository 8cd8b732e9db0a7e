import type { ProviderProfile } from './types.js';

export const slack: ProviderProfile = {
  id: 'slack',
  displayName: 'Slack',
  endpoints: {
    authorization: 'https://slack.com/oauth/v2/authorize',
    token: 'https://slack.com/api/oauth.v2.access',
    identity: { url: 'https://slack.com/api/auth.test', method: 'POST', accountFields: ['user'] },
    revocation: 'https://slack.com/api/auth.revoke',
  },
  discovery: false,
  // 12 h when token rotation is on.
  accessTokenLifetimeSec: 43200,
  refreshTokens: 'rotating',
  // "The refresh token is then revoked"; whether the new family goes too is not documented: assume it does.
  reuseRevokesFamily: true,
  tokenErrorInBody200: true,
  errors: [
    // Slack sends invalid_refresh_token for reuse and for a revoked token alike.
    { error: 'invalid_refresh_token', cause: 'invalid_grant' },
    { error: 'token_expired', cause: 'invalid_grant' },
    { error: 'invalid_auth', cause: 'invalid_grant' },
    { error: 'token_revoked', cause: 'consent_revoked' },
    { error: 'bad_client_secret', cause: 'invalid_client' },
    { error: 'invalid_client_id', cause: 'invalid_client' },
    { error: 'account_inactive', cause: 'account_disabled' },
    { error: 'missing_scope', cause: 'insufficient_scope' },
    { error: 'ratelimited', cause: 'rate_limited' },
  ],
};
