// The canonical causes every provider's token and API errors are mapped to (DESIGN §4, §7).
// Rules reason over these, never over one provider's wording.
export const canonicalCauses = [
  // The refresh token (or the grant behind it) is revoked or expired: the provider will not say which.
  'invalid_grant',
  // A rotated refresh token was presented again (the provider said so explicitly).
  'refresh_reuse',
  // The refresh token expired because it sat unused longer than the provider's idle window.
  'idle_expired',
  // The client could not authenticate: wrong, rotated or deleted secret or key.
  'invalid_client',
  'expired_client_secret',
  // The user or an admin withdrew consent, or a password reset revoked every grant.
  'consent_revoked',
  'account_disabled',
  'clock_skew',
  'rate_limited',
  'insufficient_scope',
  // 404: the resource is outside what the credential can see (GitHub answers 404 instead of 403).
  'not_found',
  'unknown',
] as const;
export type CanonicalCause = (typeof canonicalCauses)[number];
