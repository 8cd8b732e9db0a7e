import * as z from 'zod/mini';

// The schema of $BROKER_HOME/state.json: connection metadata, never a secret.
// zod/mini: the same validation as zod, 43 KB instead of 760 KB on every command's start-up.

export const providerIds = ['github', 'github-app', 'google', 'microsoft', 'slack', 'linear', 'atlassian', 'oidc'] as const;
export const ProviderIdSchema = z.enum(providerIds);
export type ProviderId = z.infer<typeof ProviderIdSchema>;

/**
 * A connection's name is also a file name (locks/NAME.lock) and a keychain account, so it is one
 * path segment that cannot start with a dot: no "..", no "/", and never one of the home's own
 * dot-files (locks/.state.lock).
 */
export const connectionNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const connectionNameRule = 'letters, digits, ".", "_" and "-", starting with a letter or digit (max 64)';

export function isConnectionName(name: string): boolean {
  return connectionNamePattern.test(name);
}

export const SecretSourceSchema = z.string().check(z.regex(/^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+|keychain)$/, 'must be env:VAR, file:PATH or keychain'));

const isoTime = z.iso.datetime({ offset: true });

export const LastErrorSchema = z.object({
  at: isoTime,
  status: z.optional(z.int()),
  error: z.string(),
  description: z.optional(z.string()),
  code: z.optional(z.string()),
});
export type LastError = z.infer<typeof LastErrorSchema>;

export const AcknowledgementSchema = z.object({
  id: z.string(),
  until: isoTime,
  by: z.string(),
});
export type Acknowledgement = z.infer<typeof AcknowledgementSchema>;

export const ConnectionSchema = z.object({
  name: z.string().check(z.regex(connectionNamePattern, `a connection name is ${connectionNameRule}`)),
  provider: ProviderIdSchema,
  kind: z.enum(['service', 'personal']),
  account: z.optional(z.string()),
  scopes: z._default(z.array(z.string()), []),
  clientId: z.optional(z.string()),
  clientSecretSource: z.optional(SecretSourceSchema),
  issuer: z.optional(z.url()),
  appId: z.optional(z.int().check(z.positive())),
  installation: z.optional(z.object({ id: z.int().check(z.positive()), account: z.string() })),
  // The provider's API base when it is not the public one (GitHub Enterprise, the local stand-in).
  apiBaseUrl: z.optional(z.url()),
  // The command an agent runs under; `restart-holder` re-runs it to drop a stale token.
  holderCommand: z.optional(z.string()),
  createdAt: isoTime,
  accessTokenExpiresAt: z.optional(isoTime),
  refreshTokenObtainedAt: z.optional(isoTime),
  lastRefreshAt: z.optional(isoTime),
  lastUsedAt: z.optional(isoTime),
  generation: z._default(z.int().check(z.nonnegative()), 0),
  accessTokenFp: z.optional(z.string()),
  refreshTokenFp: z.optional(z.string()),
  clientSecretFp: z.optional(z.string()),
  lastError: z.optional(LastErrorSchema),
  acknowledgements: z._default(z.array(AcknowledgementSchema), []),
});
export type Connection = z.infer<typeof ConnectionSchema>;

// An agent of `broker serve`: its key is shown once at `broker agent add`; only its sha256 is kept.
export const AgentSchema = z.object({
  name: z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/)),
  keyHash: z.string().check(z.regex(/^[a-f0-9]{64}$/)),
  connections: z.array(z.string()),
  // Made for CI: events carry ci: true, and personal connections' tokens are not handed to it.
  ci: z._default(z.boolean(), false),
  createdAt: isoTime,
});
export type Agent = z.infer<typeof AgentSchema>;

export const StateSchema = z.object({
  version: z.literal(1),
  homeId: z.string().check(z.regex(/^[a-f0-9]{16}$/)),
  connections: z
    .record(z.string().check(z.regex(connectionNamePattern, `a connection name is ${connectionNameRule}`)), ConnectionSchema)
    // The key is what commands look up and turn into lock paths: it must be the connection's own name.
    .check(z.refine((connections) => Object.entries(connections).every(([key, c]) => c.name === key), 'every key must equal its connection\'s name')),
  // Absent until the first `broker agent add`.
  agents: z.optional(z.record(z.string(), AgentSchema)),
});
export type State = z.infer<typeof StateSchema>;
