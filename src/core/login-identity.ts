// Who a login turned out to be, and whether that is who the connection must be (docs/design.md §7).

export interface SeenIdentity {
  /** The name shown to people: email, else username, else subject. */
  identity: string;
  /** Other names the same answer carries (sub, email, login): the account may be written as any of them. */
  aliases: string[];
}

export type IdentityCheck = { ok: true; identity: string } | { ok: false; identity: string; expected: string; message: string };

/**
 * The identity a login saw must equal the connection's account (emails and GitHub logins are
 * case-insensitive). A connection without an account accepts the first identity it sees.
 */
export function checkLoginIdentity(expected: string | undefined, seen: SeenIdentity): IdentityCheck {
  if (expected === undefined || expected.trim() === '') return { ok: true, identity: seen.identity };
  const want = expected.trim().toLowerCase();
  const names = [seen.identity, ...seen.aliases].map((n) => n.trim().toLowerCase());
  if (names.includes(want)) return { ok: true, identity: seen.identity };
  return {
    ok: false,
    identity: seen.identity,
    expected,
    message: `logged in as ${seen.identity}, but this connection must be ${expected}: refused, nothing was stored`,
  };
}

/**
 * Reads the identity from an identity endpoint's JSON answer: the first present of the profile's
 * account fields (dotted paths such as "repositories.0.owner.login").
 */
export function identityFromAnswer(answer: unknown, accountFields: string[]): SeenIdentity | undefined {
  const values = accountFields.map((field) => valueAt(answer, field)).filter((v): v is string => typeof v === 'string' && v !== '');
  const [identity, ...aliases] = values;
  if (identity === undefined) return undefined;
  const extra = ['email', 'login', 'preferred_username', 'sub'].map((f) => valueAt(answer, f)).filter((v): v is string => typeof v === 'string' && v !== '');
  return { identity, aliases: [...new Set([...aliases, ...extra])].filter((a) => a !== identity) };
}

function valueAt(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return typeof current === 'number' ? String(current) : current;
}

/** Re-login keeps what the connection had and adds what was asked for, in first-seen order. */
export function loginScopes(connectionScopes: string[], requested: string[], providerDefaults: string[] = []): string[] {
  const base = connectionScopes.length > 0 || requested.length > 0 ? [...connectionScopes, ...requested] : providerDefaults;
  return [...new Set(base)];
}
