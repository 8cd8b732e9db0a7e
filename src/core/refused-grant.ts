import { classifyProviderError } from './providers/classify-provider-error.js';
import { loginNeededCauses } from './providers/causes.js';
import type { Connection } from './state-schema.js';

/**
 * Pure: the provider refused this connection's refresh token and nothing has succeeded since, so
 * the stored tokens are dead (a provider that revokes the grant revokes its access tokens too).
 * `storedRefreshTokenFp` is the store's refresh token now: a bundle written after the refusal (a
 * login, or a refresh whose state update was cut short) carries another one, and is not known dead.
 */
export function grantRefusedSinceLastSuccess(connection: Connection, storedRefreshTokenFp: string | undefined): boolean {
  const refused = connection.lastError;
  if (!refused) return false;
  if (connection.lastRefreshAt !== undefined && Date.parse(connection.lastRefreshAt) >= Date.parse(refused.at)) return false;
  if (storedRefreshTokenFp !== connection.refreshTokenFp) return false;
  const { cause } = classifyProviderError(connection.provider, { status: refused.status, error: refused.error, error_description: refused.description, error_code: refused.code });
  return loginNeededCauses.has(cause);
}
