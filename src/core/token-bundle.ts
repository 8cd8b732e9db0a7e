import * as z from 'zod/mini';

/**
 * What one keychain entry holds for one connection; a refresh replaces all of it at once. Before the
 * first login it may hold only the client's own credentials (`connect --client-secret-stdin`), so
 * the access token is optional here and `holdsAccessToken` is what token consumers check.
 */
export const TokenBundleSchema = z.object({
  access_token: z.optional(z.string().check(z.minLength(1))),
  refresh_token: z.optional(z.string().check(z.minLength(1))),
  expires_at: z.optional(z.iso.datetime({ offset: true })),
  scope: z.optional(z.string()),
  client_secret: z.optional(z.string()),
  private_key: z.optional(z.string()),
});
export type TokenBundle = z.infer<typeof TokenBundleSchema>;
/** A bundle with an access token: what a login, a refresh or a mint produces and a token consumer needs. */
export type HeldTokenBundle = TokenBundle & { access_token: string };

export function holdsAccessToken(bundle: TokenBundle | null | undefined): bundle is HeldTokenBundle {
  return typeof bundle?.access_token === 'string' && bundle.access_token !== '';
}

/** The shape a token endpoint returns, or what `connect --token-stdin` accepts. */
const TokenResponseSchema = z.object({
  access_token: z.string().check(z.minLength(1)),
  refresh_token: z.optional(z.string().check(z.minLength(1))),
  expires_in: z.optional(z.coerce.number().check(z.positive())),
  expires_at: z.optional(z.union([z.iso.datetime({ offset: true }), z.number()])),
  scope: z.optional(z.string()),
});

export type ParsedTokenInput = { ok: true; bundle: HeldTokenBundle } | { ok: false; error: string };

/** Parses stdin for `connect --token-stdin`: a bare access token or a token-endpoint JSON bundle. */
export function parseTokenInput(text: string, now: Date): ParsedTokenInput {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, error: 'stdin was empty: pipe an access token or a JSON token bundle' };
  if (!trimmed.startsWith('{')) {
    if (/\s/.test(trimmed)) return { ok: false, error: 'a bare token cannot contain whitespace' };
    return { ok: true, bundle: { access_token: trimmed } };
  }
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    // JSON.parse's message quotes the input, and the input is a secret.
    return { ok: false, error: 'stdin starts with "{" but is not valid JSON' };
  }
  const parsed = TokenResponseSchema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, error: `token bundle: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ')}` };
  }
  const r = parsed.data;
  return { ok: true, bundle: { access_token: r.access_token, refresh_token: r.refresh_token, scope: r.scope, expires_at: expiresAt(r, now) } };
}

function expiresAt(r: z.infer<typeof TokenResponseSchema>, now: Date): string | undefined {
  if (r.expires_in !== undefined) return new Date(now.getTime() + r.expires_in * 1000).toISOString();
  if (typeof r.expires_at === 'number') return new Date(r.expires_at * 1000).toISOString();
  return r.expires_at === undefined ? undefined : new Date(r.expires_at).toISOString();
}
