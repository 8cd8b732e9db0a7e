import type { ProviderId } from '../state-schema.js';
import type { CanonicalCause } from './causes.js';

/** Where the connection's identity is read, and which field of the answer names the account. */
export interface IdentityEndpoint {
  /** Absolute URL, or a path on the connection's API base (GitHub Enterprise, the local stand-in). */
  url?: string;
  method: 'GET' | 'POST';
  /** Fields of the JSON answer that hold the account, first present wins (e.g. ["email", "sub"]); dotted paths reach into objects and arrays ("data.viewer.email", "repositories.0.owner.login"). */
  accountFields: string[];
}

export interface ProviderEndpoints {
  authorization?: string;
  token?: string;
  deviceAuthorization?: string;
  identity?: IdentityEndpoint;
  revocation?: string;
}

/**
 * One row of a provider's error table. Every present field must match; the first matching row wins.
 * Rows exist only for what the provider's body actually tells apart; everything else falls back to
 * the standard OAuth `error` field, then to the HTTP status.
 */
export interface ErrorMapping {
  /** The provider's own code (AADSTS number without the prefix, Linear's extensions.code, Google's reason). */
  code?: string;
  /** The `error` field (OAuth), Slack's `error`, or Google/Graph `error.code` / `error.status`. */
  error?: string;
  /** Case-insensitive substring of the description or message. */
  text?: string;
  status?: number;
  cause: CanonicalCause;
}

export interface ProviderProfile {
  id: ProviderId;
  displayName: string;
  /** Undefined fields are discovered (oidc: from the issuer's /.well-known/openid-configuration). */
  endpoints: ProviderEndpoints;
  /** Discover endpoints from the connection's issuer instead of using the ones above. */
  discovery: boolean;
  /** Undefined when the access token does not expire or the lifetime is not known. */
  accessTokenLifetimeSec?: number;
  refreshTokens: 'none' | 'static' | 'rotating';
  /** Presenting a used refresh token revokes every token of the grant, the race winner's too. */
  reuseRevokesFamily: boolean;
  /** How long a used refresh token keeps working after rotation. */
  reuseLeewaySec?: number;
  /** A refresh token unused this long is revoked; undefined when the provider has no idle window or does not say. */
  idleWindowDays?: number;
  /** Token-endpoint errors arrive with HTTP 200 (GitHub's `error` field, Slack's `ok: false`). */
  tokenErrorInBody200: boolean;
  errors: ErrorMapping[];
}
