import { githubApiErrors } from './github.js';
import type { ProviderProfile } from './types.js';

/** Installation tokens minted from an app JWT: one hour, no refresh token, mint again instead. */
export const githubApp: ProviderProfile = {
  id: 'github-app',
  displayName: 'GitHub App (installation)',
  endpoints: {
    // POST {api}/app/installations/{id}/access_tokens, authenticated with the app's JWT.
    token: '/app/installations/{installation_id}/access_tokens',
    // An installation token has no user; /installation/repositories proves the installation answers.
    identity: { url: '/installation/repositories', method: 'GET', accountFields: ['repositories.0.owner.login'] },
    revocation: '/installation/token',
  },
  discovery: false,
  accessTokenLifetimeSec: 3600,
  refreshTokens: 'none',
  reuseRevokesFamily: false,
  tokenErrorInBody200: false,
  errors: githubApiErrors,
};
