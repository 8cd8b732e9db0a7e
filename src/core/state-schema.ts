import { z } from 'zod';

// The schema of $BROKER_HOME/state.json: connection metadata, never a secret.

export const providerIds = ['github', 'github-app', 'google', 'microsoft', 'slack', 'linear', 'atlassian', 'oidc'] as const;
export const ProviderIdSchema = z.enum(providerIds);
export type ProviderId = z.infer<typeof ProviderIdSchema>;

export const SecretSourceSchema = z
  .string()
  .regex(/^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+|keychain)$/, 'must be env:VAR, file:PATH or keychain');

const isoTime = z.string().datetime({ offset: true });

export const LastErrorSchema = z.object({
  at: isoTime,
  status: z.number().int().optional(),
  error: z.string(),
  description: z.string().optional(),
  code: z.string().optional(),
});
export type LastError = z.infer<typeof LastErrorSchema>;

export const AcknowledgementSchema = z.object({
  id: z.string(),
  until: isoTime,
  by: z.string(),
});
export type Acknowledgement = z.infer<typeof AcknowledgementSchema>;

export const ConnectionSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/),
  provider: ProviderIdSchema,
  kind: z.enum(['service', 'personal']),
  account: z.string().optional(),
  scopes: z.array(z.string()).default([]),
  clientId: z.string().optional(),
  clientSecretSource: SecretSourceSchema.optional(),
  issuer: z.string().url().optional(),
  appId: z.number().int().positive().optional(),
  installation: z.object({ id: z.number().int().positive(), account: z.string() }).optional(),
  // The provider's API base when it is not the public one (GitHub Enterprise, the local stand-in).
  apiBaseUrl: z.string().url().optional(),
  // The command an agent runs under; `restart-holder` re-runs it to drop a stale token.
  holderCommand: z.string().optional(),
  createdAt: isoTime,
  accessTokenExpiresAt: isoTime.optional(),
  refreshTokenObtainedAt: isoTime.optional(),
  lastRefreshAt: isoTime.optional(),
  lastUsedAt: isoTime.optional(),
  generation: z.number().int().nonnegative().default(0),
  accessTokenFp: z.string().optional(),
  refreshTokenFp: z.string().optional(),
  clientSecretFp: z.string().optional(),
  lastError: LastErrorSchema.optional(),
  acknowledgements: z.array(AcknowledgementSchema).default([]),
});
export type Connection = z.infer<typeof ConnectionSchema>;

export const StateSchema = z.object({
  version: z.literal(1),
  homeId: z.string().regex(/^[a-f0-9]{16}$/),
  connections: z.record(z.string(), ConnectionSchema),
});
export type State = z.infer<typeof StateSchema>;
