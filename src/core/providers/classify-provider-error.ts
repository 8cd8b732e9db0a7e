import type { ProviderId } from '../state-schema.js';
import type { CanonicalCause } from './causes.js';
import { providerProfile } from './index.js';
import type { ErrorMapping } from './types.js';

/** What is known of a failed answer: a whole body, or the fields the event log keeps of it. */
export interface ProviderErrorInput {
  status?: number;
  body?: unknown;
  error?: string;
  error_description?: string;
  error_code?: string;
}

export interface ClassifiedError {
  cause: CanonicalCause;
  /** The provider's error word (OAuth `error`, Slack `error`, GitHub `message` when there is no error field). */
  error: string;
  description?: string;
  /** The provider's own code, e.g. AADSTS700082. */
  code?: string;
}

// RFC 6749 §5.2 words and what they mean when the provider's table says nothing more precise.
const standardErrors: Record<string, CanonicalCause> = {
  invalid_grant: 'invalid_grant',
  invalid_client: 'invalid_client',
  unauthorized_client: 'invalid_client',
  insufficient_scope: 'insufficient_scope',
  invalid_scope: 'insufficient_scope',
  access_denied: 'consent_revoked',
  consent_required: 'consent_revoked',
  interaction_required: 'consent_revoked',
  expired_token: 'invalid_grant',
  invalid_token: 'invalid_grant',
  slow_down: 'rate_limited',
};

const statusCauses: Record<number, CanonicalCause> = { 401: 'invalid_grant', 403: 'insufficient_scope', 404: 'not_found', 429: 'rate_limited' };

/** Maps a provider's error answer to a canonical cause through its profile; unknown codes fall back to `error`, then the status. */
export function classifyProviderError(providerId: ProviderId, input: ProviderErrorInput): ClassifiedError {
  const fields = readErrorFields(input);
  const mapped = providerProfile(providerId).errors.find((row) => matches(row, fields, input.status));
  const cause =
    mapped?.cause ??
    (fields.error !== undefined ? standardErrors[fields.error.toLowerCase()] : undefined) ??
    (input.status !== undefined ? statusCauses[input.status] : undefined) ??
    'unknown';
  return {
    cause,
    error: fields.error ?? (input.status !== undefined ? `http_${input.status}` : 'unknown'),
    ...(fields.description !== undefined ? { description: fields.description } : {}),
    ...(fields.code !== undefined ? { code: fields.code } : {}),
  };
}

/**
 * The error in a token-endpoint answer, or null for a success. GitHub answers token errors with
 * HTTP 200 and an `error` field, Slack with `{"ok": false}`: a status check alone logs them as successes.
 */
export function tokenResponseError(providerId: ProviderId, status: number, body: unknown): ClassifiedError | null {
  const failed =
    status >= 400 ||
    (isRecord(body) && (body.ok === false || typeof body.error === 'string' || isRecord(body.error)));
  return failed ? classifyProviderError(providerId, { status, body }) : null;
}

interface ErrorFields {
  error?: string;
  description?: string;
  code?: string;
}

function readErrorFields(input: ProviderErrorInput): ErrorFields {
  const fromBody = isRecord(input.body) ? readBody(input.body) : {};
  const error = input.error ?? fromBody.error;
  const description = input.error_description ?? fromBody.description;
  const code = input.error_code ?? fromBody.code ?? aadstsPrefix(description);
  return { error, description, code };
}

function readBody(body: Record<string, unknown>): ErrorFields {
  const description = str(body.error_description) ?? str(body.message);
  const errorCodes = Array.isArray(body.error_codes) ? body.error_codes : [];
  const aadsts = typeof errorCodes[0] === 'number' ? `AADSTS${errorCodes[0]}` : undefined;
  if (isRecord(body.error)) {
    // Google APIs: {error: {code: 403, message, status, details: [{reason}]}}; Graph: {error: {code: "TooManyRequests", message}}.
    const inner = body.error;
    const details = Array.isArray(inner.details) ? inner.details : [];
    const reason = details.map((d) => (isRecord(d) ? str(d.reason) : undefined)).find((r) => r !== undefined);
    return { error: str(inner.status) ?? str(inner.code), description: str(inner.message), code: reason };
  }
  // Linear (GraphQL): {errors: [{message, extensions: {code}}]}.
  const firstError = Array.isArray(body.errors) && isRecord(body.errors[0]) ? body.errors[0] : undefined;
  const extensionCode = firstError && isRecord(firstError.extensions) ? str(firstError.extensions.code) : undefined;
  return {
    error: str(body.error) ?? extensionCode,
    description: description ?? (firstError ? str(firstError.message) : undefined),
    code: aadsts ?? extensionCode,
  };
}

function matches(row: ErrorMapping, fields: ErrorFields, status: number | undefined): boolean {
  if (row.code !== undefined && normalizeCode(fields.code) !== normalizeCode(row.code)) return false;
  if (row.error !== undefined && fields.error?.toLowerCase() !== row.error.toLowerCase()) return false;
  if (row.status !== undefined && status !== row.status) return false;
  if (row.text !== undefined) {
    const haystack = `${fields.description ?? ''} ${fields.error ?? ''}`.toLowerCase();
    if (!haystack.includes(row.text.toLowerCase())) return false;
  }
  return true;
}

function normalizeCode(code: string | undefined): string | undefined {
  return code?.replace(/^AADSTS/i, '').toUpperCase();
}

function aadstsPrefix(description: string | undefined): string | undefined {
  return description?.match(/^(AADSTS\d+)/)?.[1];
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
