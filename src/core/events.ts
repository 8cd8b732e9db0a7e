import * as z from 'zod/mini';
import { compiledObject } from './compiled-object.js';

// The event log's vocabulary (docs/design.md §3): one JSON object per line in logs/events.jsonl,
// one schema per event kind. A line is typed as its kind only after it passed that kind's schema
// (parse-event.ts). Fields a schema does not name are dropped: what a rule or a reader sees is
// exactly what was checked.

const text = z.string();
const optionalText = z.optional(z.string());
const count = z.int().check(z.nonnegative());
const httpStatus = z.int().check(z.gte(0), z.lte(999));
const millis = z.optional(z.number().check(z.nonnegative()));

// Who wrote the event; written after the event's own fields, as the log writer orders them.
const writer = {
  pid: z.optional(z.int()),
  host: optionalText,
  agent: optionalText,
  task: optionalText,
  ci: z.optional(z.boolean()),
};

/** The provider's words about a failure, never a whole response. */
const providerError = {
  status: z.optional(httpStatus),
  error: optionalText,
  error_description: optionalText,
  error_code: optionalText,
};

export const refreshTriggers = ['proactive', 'reactive', 'manual', 'keepalive'] as const;

export const RefreshEventSchema = compiledObject({
  ts: text,
  event: z.literal('refresh'),
  conn: optionalText,
  trigger: z.optional(z.enum(refreshTriggers)),
  // unpersisted: the provider issued a new refresh token that could not be stored.
  outcome: z.enum(['ok', 'error', 'unpersisted']),
  ...providerError,
  rt_fp: optionalText,
  new_rt_fp: optionalText,
  at_fp: optionalText,
  generation: z.optional(count),
  // When the presented refresh token was last used or obtained (state.json at the time): a failure
  // carries its own idle evidence, even after a re-login has moved state.json on.
  rt_last_used_at: optionalText,
  lock_wait_ms: millis,
  duration_ms: millis,
  // From the provider's answer to the new bundle being stored: the only moment a crash loses the
  // rotated refresh token (and, where reuse revokes the grant, the connection).
  persist_ms: millis,
  // true when this process found another process's fresh token under the lock and used it.
  adopted: z.optional(z.boolean()),
  ...writer,
});

export const TokenEventSchema = compiledObject({
  ts: text,
  event: z.literal('token'),
  conn: optionalText,
  // refused: nothing was handed out (a personal connection asked for by CI), so there is no token to name.
  outcome: z.optional(z.enum(['ok', 'refused'])),
  reason: optionalText,
  at_fp: optionalText,
  generation: z.optional(count),
  // A refusal overridden on purpose (--allow-personal-in-ci): handed out, and said so.
  allowed: optionalText,
  ...writer,
});

/** The response headers a `request` event keeps (they decide scope, permission and rate-limit findings). */
export const loggedResponseHeaders = [
  'x-oauth-scopes',
  'x-accepted-oauth-scopes',
  'x-accepted-github-permissions',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'retry-after',
] as const;

export const requestOutcomes = ['ok', 'error', 'refused', 'unauthenticated', 'forbidden', 'unavailable', 'failed'] as const;
export type RequestOutcome = (typeof requestOutcomes)[number];

export const RequestEventSchema = compiledObject({
  ts: text,
  event: z.literal('request'),
  conn: optionalText,
  method: text,
  target: text,
  path: text,
  status: httpStatus,
  // Absent: it was sent and `status` is the provider's answer. Otherwise the broker answered itself:
  // refused (the credential cannot serve it: `reason` says why, nothing was sent); and from
  // `broker serve`: unauthenticated (no or unknown broker key), forbidden (the key may not use this
  // connection or route), unavailable (the connection's refresh is failing and serve backs off),
  // failed (the upstream could not be reached, or the call broke off).
  outcome: z.optional(z.enum(requestOutcomes)),
  // Why the broker refused or could not serve: wrong-installation, missing-scope, a refresh cause, …
  reason: optionalText,
  // wrong-installation: the installation of the same App that covers the owner, when the App can see one.
  covering_installation: z.optional(count),
  // serve: bytes of the request body sent upstream, and of the response body returned.
  request_bytes: z.optional(count),
  response_bytes: z.optional(count),
  at_fp: optionalText,
  duration_ms: millis,
  date: optionalText,
  'x-oauth-scopes': optionalText,
  'x-accepted-oauth-scopes': optionalText,
  'x-accepted-github-permissions': optionalText,
  'x-ratelimit-remaining': optionalText,
  'x-ratelimit-reset': optionalText,
  'retry-after': optionalText,
  error: optionalText,
  error_description: optionalText,
  // Same-origin redirects followed; target and path are where the answer finally came from.
  redirects: z.optional(count),
  // The host of a redirect to another origin, which was not followed (the 3xx is the status).
  redirect_refused: optionalText,
  ...writer,
});

export const probeChecks = ['token-endpoint', 'identity', 'installation'] as const;

export const ProbeEventSchema = compiledObject({
  ts: text,
  event: z.literal('probe'),
  conn: optionalText,
  check: z.enum(probeChecks),
  outcome: z.enum(['ok', 'error']),
  identity: optionalText,
  ...providerError,
  date: optionalText,
  duration_ms: millis,
  ...writer,
});

export const LoginEventSchema = compiledObject({
  ts: text,
  event: z.literal('login'),
  conn: optionalText,
  method: z.enum(['browser', 'device', 'paste']),
  outcome: z.enum(['ok', 'error', 'refused']),
  identity: optionalText,
  scopes: z.optional(z.array(z.string())),
  error: optionalText,
  ...writer,
});

export const SecretEventSchema = compiledObject({
  ts: text,
  event: z.literal('secret'),
  conn: optionalText,
  source: text,
  fp: text,
  previous_fp: optionalText,
  ...writer,
});

export const RemediationEventSchema = compiledObject({
  ts: text,
  event: z.literal('remediation'),
  conn: optionalText,
  action: text,
  finding: text,
  outcome: z.enum(['ok', 'error', 'declined']),
  operator: text,
  detail: optionalText,
  ...writer,
});

export const eventSchemas = {
  refresh: RefreshEventSchema,
  token: TokenEventSchema,
  request: RequestEventSchema,
  probe: ProbeEventSchema,
  login: LoginEventSchema,
  secret: SecretEventSchema,
  remediation: RemediationEventSchema,
} as const;

export type EventName = keyof typeof eventSchemas;
export const eventNames = Object.keys(eventSchemas) as EventName[];

export type RefreshEvent = z.infer<typeof RefreshEventSchema>;
export type TokenEvent = z.infer<typeof TokenEventSchema>;
export type RequestEvent = z.infer<typeof RequestEventSchema>;
export type ProbeEvent = z.infer<typeof ProbeEventSchema>;
export type LoginEvent = z.infer<typeof LoginEventSchema>;
export type SecretEvent = z.infer<typeof SecretEventSchema>;
export type RemediationEvent = z.infer<typeof RemediationEventSchema>;

export type BrokerEvent = RefreshEvent | TokenEvent | RequestEvent | ProbeEvent | LoginEvent | SecretEvent | RemediationEvent;
export type EventBase = Pick<BrokerEvent, 'ts' | 'event' | 'conn' | keyof typeof writer>;

/** An event together with where it was read, so a finding can cite it as evidence. */
export interface LoggedEvent<E extends BrokerEvent = BrokerEvent> {
  event: E;
  file: string;
  line: number;
  /** ts in ms since the epoch, parsed once when the line was read. */
  t: number;
}

/** What a new event needs from its writer; ts, pid and host are filled in by the log writer. */
export type NewEvent = DistributiveOmit<BrokerEvent, 'ts' | 'pid' | 'host'> & { ts?: string };
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
