import * as z from 'zod/mini';
import { describeSchemaIssue } from './schema-issue.js';

// A bearer token ends up in an HTTP header, in every later command's memory and next to a
// terminal: it is bounded and printable ASCII (RFC 6750's b64token is a subset), checked on the
// way in (connect, login, a provider's answer) and again on every read from the store.

export const maxTokenChars = 16 * 1024;
/** What `connect --token-stdin` reads at most: two maximal tokens, a scope and the JSON around them. */
export const maxTokenInputBytes = 64 * 1024;
const maxScopeChars = 4 * 1024;
const maxClientSecretChars = 16 * 1024;
const maxPrivateKeyChars = 64 * 1024;
/** No token lives this long; a larger expires_in or expires_at is a unit mistake (milliseconds) or garbage. */
export const maxTokenLifeSeconds = 10 * 365 * 24 * 3600;
// Before this, an epoch-seconds expires_at is more likely an expires_in given the wrong name.
const earliestExpirySeconds = Date.UTC(2000, 0, 1) / 1000;

const TokenSchema = z.string().check(
  z.minLength(1, 'is empty'),
  z.maxLength(maxTokenChars, `is over ${maxTokenChars} characters`),
  z.regex(/^[\x21-\x7e]+$/, 'holds whitespace, control or non-ASCII characters'),
);
const noControl = /^[^\u0000-\u001f\u007f-\u009f]*$/;
const TextSchema = (max: number) => z.string().check(z.maxLength(max, `is over ${max} characters`), z.regex(noControl, 'holds control characters'));

/**
 * What one keychain entry holds for one connection; a refresh replaces all of it at once. Before the
 * first login it may hold only the client's own credentials (`connect --client-secret-stdin`), so
 * the access token is optional here and `holdsAccessToken` is what token consumers check.
 */
export const TokenBundleSchema = z.object({
  access_token: z.optional(TokenSchema),
  refresh_token: z.optional(TokenSchema),
  expires_at: z.optional(z.iso.datetime({ offset: true })),
  scope: z.optional(TextSchema(maxScopeChars)),
  client_secret: z.optional(TextSchema(maxClientSecretChars)),
  // PEM: lines of base64 between BEGIN/END lines.
  private_key: z.optional(z.string().check(z.maxLength(maxPrivateKeyChars, `is over ${maxPrivateKeyChars} characters`), z.regex(/^[\x20-\x7e\r\n]*$/, 'is not PEM text'))),
});
export type TokenBundle = z.infer<typeof TokenBundleSchema>;
/** A bundle with an access token: what a login, a refresh or a mint produces and a token consumer needs. */
export type HeldTokenBundle = TokenBundle & { access_token: string };

export function holdsAccessToken(bundle: TokenBundle | null | undefined): bundle is HeldTokenBundle {
  return typeof bundle?.access_token === 'string' && bundle.access_token !== '';
}

export type ParsedBundle = { ok: true; bundle: TokenBundle } | { ok: false; reason: string };

/** Pure: stored text → a bundle, or a one-line reason that never quotes the text (it is a secret). */
export function parseStoredBundle(text: string): ParsedBundle {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const parsed = TokenBundleSchema.safeParse(json);
  return parsed.success ? { ok: true, bundle: parsed.data } : { ok: false, reason: describeSchemaIssue(parsed.error) };
}

/** The shape a token endpoint returns, or what `connect --token-stdin` accepts. */
const TokenResponseSchema = z.object({
  access_token: TokenSchema,
  refresh_token: z.optional(TokenSchema),
  // Some endpoints send "3600" as a string; anything that is not a finite positive number is refused.
  expires_in: z.optional(z.coerce.number().check(z.positive('must be a positive number of seconds'), z.lte(maxTokenLifeSeconds, `must be seconds, at most ${maxTokenLifeSeconds} (10 years)`))),
  expires_at: z.optional(z.union([z.iso.datetime({ offset: true }), z.number()])),
  scope: z.optional(TextSchema(maxScopeChars)),
});

export type ParsedTokenInput = { ok: true; bundle: HeldTokenBundle } | { ok: false; error: string };

/** Parses stdin for `connect --token-stdin`: a bare access token or a token-endpoint JSON bundle. */
export function parseTokenInput(text: string, now: Date): ParsedTokenInput {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, error: 'stdin was empty: pipe an access token or a JSON token bundle' };
  if (!trimmed.startsWith('{')) return parseBareToken(trimmed);
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    // JSON.parse's message quotes the input, and the input is a secret.
    return { ok: false, error: 'stdin starts with "{" but is not valid JSON' };
  }
  const parsed = TokenResponseSchema.safeParse(json);
  if (!parsed.success) return { ok: false, error: `token bundle: ${describeSchemaIssue(parsed.error)}` };
  const r = parsed.data;
  const expires = expiresAt(r, now);
  if (!expires.ok) return { ok: false, error: `token bundle: ${expires.error}` };
  const bundle: HeldTokenBundle = { access_token: r.access_token, refresh_token: r.refresh_token, scope: r.scope, expires_at: expires.at };
  return { ok: true, bundle };
}

function parseBareToken(token: string): ParsedTokenInput {
  if (/\s/.test(token)) return { ok: false, error: 'a bare token cannot contain whitespace' };
  // "null", "[1,2]", "42" or "\"x\"" are JSON, not tokens: a script piped the wrong thing.
  let json: unknown = undefined;
  try {
    json = JSON.parse(token);
  } catch {
    // Not JSON: a bare token, as expected.
  }
  if (json !== undefined) return { ok: false, error: `stdin holds JSON ${json === null ? 'null' : Array.isArray(json) ? 'array' : typeof json}, not a token: pipe a bare token or a {"access_token": …} object` };
  const checked = TokenSchema.safeParse(token);
  if (!checked.success) return { ok: false, error: `the token ${checked.error.issues[0]?.message ?? 'is not valid'}` };
  return { ok: true, bundle: { access_token: token } };
}

function expiresAt(r: z.infer<typeof TokenResponseSchema>, now: Date): { ok: true; at: string | undefined } | { ok: false; error: string } {
  if (r.expires_in !== undefined) return { ok: true, at: new Date(now.getTime() + r.expires_in * 1000).toISOString() };
  if (r.expires_at === undefined) return { ok: true, at: undefined };
  const latestSeconds = now.getTime() / 1000 + maxTokenLifeSeconds;
  if (typeof r.expires_at === 'number') {
    if (r.expires_at > latestSeconds) {
      const asMs = r.expires_at / 1000;
      return { ok: false, error: asMs >= earliestExpirySeconds && asMs <= latestSeconds ? 'expires_at looks like milliseconds: give epoch seconds' : 'expires_at is more than 10 years away: give epoch seconds' };
    }
    if (r.expires_at < earliestExpirySeconds) return { ok: false, error: 'expires_at is epoch seconds (a date after 2000); for a lifetime in seconds use expires_in' };
    return { ok: true, at: new Date(r.expires_at * 1000).toISOString() };
  }
  const ms = Date.parse(r.expires_at);
  if (ms / 1000 > latestSeconds) return { ok: false, error: 'expires_at is more than 10 years away' };
  return { ok: true, at: new Date(ms).toISOString() };
}
