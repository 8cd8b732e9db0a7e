import type { ErrorMapping, ProviderProfile } from './types.js';

// What api.github.com answers, shared by OAuth App / user tokens and App installation tokens.
export const githubApiErrors: ErrorMapping[] = [
  { text: 'rate limit', cause: 'rate_limited' },
  { status: 429, cause: 'rate_limited' },
  // JWT clock errors (octokit auth-app retries these with the offset from the Date header).
  { text: "'exp') is too far in the future", cause: 'clock_skew' },
  { text: "'iat') must be an integer", cause: 'clock_skew' },
  { text: "'exp') must be a numeric value representing the future", cause: 'clock_skew' },
  { text: 'json web token could not be decoded', cause: 'invalid_client' },
  { text: 'installation has been suspended', cause: 'account_disabled' },
  { text: 'not accessible to the parent installation', cause: 'not_found' },
  { text: 'permissions requested are not granted', cause: 'insufficient_scope' },
  { text: 'resource not accessible by integration', cause: 'insufficient_scope' },
  { text: 'bad credentials', cause: 'invalid_grant' },
  { status: 404, cause: 'not_found' },
];

/**
 * OAuth App tokens (never expire, no refresh token) and GitHub App user tokens (8 h, rotating
 * refresh token). The profile describes the expiring case; an OAuth App connection simply has no
 * refresh token in its bundle.
 */
export const github: ProviderProfile = {
  id: 'github',
  displayName: 'GitHub',
  endpoints: {
    authorization: 'https://github.com/login/oauth/authorize',
    token: 'https://github.com/login/oauth/access_token',
    deviceAuthorization: 'https://github.com/login/device/code',
    identity: { url: '/user', method: 'GET', accountFields: ['login'] },
    // DELETE with the app's client id and secret as basic auth; on the API base.
    revocation: '/applications/{client_id}/token',
  },
  discovery: false,
  accessTokenLifetimeSec: 28800,
  refreshTokens: 'rotating',
  // Not documented either way: assume the worst, so a lost race is answered with a re-login offer.
  reuseRevokesFamily: true,
  // GitHub App user refresh tokens: docs say 15897600 s, real responses carry 15811200 s (183 days).
  idleWindowDays: 15811200 / 86400,
  // GitHub answers token errors with HTTP 200 and an `error` field.
  tokenErrorInBody200: true,
  errors: [
    // Same body for reuse, 6-month expiry and revoked authorization: timing decides (the rules).
    { error: 'bad_refresh_token', cause: 'invalid_grant' },
    { error: 'bad_verification_code', cause: 'invalid_grant' },
    // GitHub has no distinct "secret expired" code: a deleted or regenerated secret answers the same.
    { error: 'incorrect_client_credentials', cause: 'invalid_client' },
    { error: 'unverified_user_email', cause: 'account_disabled' },
    { error: 'slow_down', cause: 'rate_limited' },
    ...githubApiErrors,
  ],
};
