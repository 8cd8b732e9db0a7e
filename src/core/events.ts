// The event log's vocabulary (DESIGN §3). One JSON object per line in logs/events.jsonl.

export const eventNames = ['refresh', 'token', 'request', 'probe', 'login', 'secret', 'remediation'] as const;
export type EventName = (typeof eventNames)[number];

export interface EventBase {
  ts: string;
  event: string;
  conn?: string;
  pid?: number;
  host?: string;
  agent?: string;
  task?: string;
  ci?: boolean;
}

export interface RefreshEvent extends EventBase {
  event: 'refresh';
  trigger: 'proactive' | 'reactive' | 'manual' | 'keepalive';
  outcome: 'ok' | 'error';
  status?: number;
  error?: string;
  error_description?: string;
  error_code?: string;
  rt_fp?: string;
  new_rt_fp?: string;
  at_fp?: string;
  generation?: number;
  lock_wait_ms?: number;
  duration_ms?: number;
  // true when this process found another process's fresh token under the lock and used it.
  adopted?: boolean;
}

export interface TokenEvent extends EventBase {
  event: 'token';
  at_fp: string;
  generation: number;
}

export interface RequestEvent extends EventBase {
  event: 'request';
  method: string;
  target: string;
  path: string;
  status: number;
  at_fp?: string;
  duration_ms?: number;
  date?: string;
  'x-oauth-scopes'?: string;
  'x-accepted-oauth-scopes'?: string;
  'x-accepted-github-permissions'?: string;
  'x-ratelimit-remaining'?: string;
  'x-ratelimit-reset'?: string;
  'retry-after'?: string;
  error?: string;
  error_description?: string;
  /**
   * Absent: the call went upstream and `status` is the provider's answer. Otherwise the broker
   * answered itself and nothing was sent: refused (the credential cannot serve it: `reason` says why),
   * unauthenticated (no or unknown broker key), forbidden (the key may not use this connection or
   * endpoint), unavailable (the connection's refresh is failing; serve backs off), failed (the
   * upstream could not be reached or broke off).
   */
  outcome?: RequestOutcome;
  /** Why the broker refused or could not serve: wrong-installation, missing-scope, a refresh cause, … */
  reason?: string;
  /** wrong-installation: the installation of the same App that covers the owner, when the App can see one. */
  covering_installation?: number;
  /** Bytes of the request body sent upstream and of the response body returned (serve). */
  request_bytes?: number;
  response_bytes?: number;
}

export const requestOutcomes = ['refused', 'unauthenticated', 'forbidden', 'unavailable', 'failed'] as const;
export type RequestOutcome = (typeof requestOutcomes)[number];

export interface ProbeEvent extends EventBase {
  event: 'probe';
  check: 'token-endpoint' | 'identity';
  outcome: 'ok' | 'error';
  identity?: string;
  status?: number;
  error?: string;
  error_description?: string;
  error_code?: string;
  date?: string;
}

export interface LoginEvent extends EventBase {
  event: 'login';
  method: 'browser' | 'device' | 'paste';
  outcome: 'ok' | 'error' | 'refused';
  identity?: string;
  scopes?: string[];
  error?: string;
}

export interface SecretEvent extends EventBase {
  event: 'secret';
  source: string;
  fp: string;
  previous_fp?: string;
}

export interface RemediationEvent extends EventBase {
  event: 'remediation';
  action: string;
  finding: string;
  outcome: 'ok' | 'error' | 'declined';
  operator: string;
  detail?: string;
}

export type BrokerEvent =
  | RefreshEvent
  | TokenEvent
  | RequestEvent
  | ProbeEvent
  | LoginEvent
  | SecretEvent
  | RemediationEvent;

/** An event together with where it was read, so a finding can cite it as evidence. */
export interface LoggedEvent {
  event: BrokerEvent;
  file: string;
  line: number;
}

/** What a new event needs from its writer; ts, pid and host are filled in by the log writer. */
export type NewEvent = DistributiveOmit<BrokerEvent, 'ts' | 'pid' | 'host'> & Partial<Pick<EventBase, 'ts'>>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
