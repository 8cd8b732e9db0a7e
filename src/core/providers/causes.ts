// The canonical causes every provider's token and API errors are mapped to (docs/design.md §4, §7).
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

/** The refresh token or its grant is gone: only a new login helps (refresh-token-revoked, idle-revoked). */
export const loginNeededCauses: ReadonlySet<CanonicalCause> = new Set(['invalid_grant', 'refresh_reuse', 'idle_expired', 'consent_revoked', 'account_disabled']);

/** The client itself was refused: its secret or key is wrong, rotated or expired (client-secret-rotated). */
export const clientCauses: ReadonlySet<CanonicalCause> = new Set(['invalid_client', 'expired_client_secret']);
