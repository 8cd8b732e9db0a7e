import type { LoggedEvent } from './events.js';
import type { RefreshStory } from './refresh-story.js';
import type { Connection, ProviderId } from './state-schema.js';

// Diagnosis vocabulary (docs/design.md §4, §6, §12): rules fold over the event log and yield
// Findings; actions are data until the remediation runner executes them.

export const severities = ['critical', 'error', 'warning', 'info'] as const;
export type Severity = (typeof severities)[number];

export const actionIds = [
  'refresh',
  'relogin',
  'reload-secret',
  'set-secret',
  'rebind-installation',
  'keepalive',
  'restart-holder',
  'show-env',
  'acknowledge',
  'use-file-store',
] as const;
export type ActionId = (typeof actionIds)[number];

export interface Evidence {
  file: string;
  line: number;
  ts: string;
  /** Redacted, control characters stripped: safe to print. */
  text: string;
}

export interface ActionRef {
  /** The key the doctor binds, e.g. "r". */
  key: string;
  action: ActionId;
  label: string;
}

/**
 * active: the failure still holds (nothing has succeeded since). resolved: a later success ended
 * it; it stays visible as the night's story but no longer counts for health or exit codes.
 */
export type FindingState = 'active' | 'resolved';

export interface Finding {
  id: string;
  severity: Severity;
  /** The connection the finding is about; null for the store or the environment. */
  conn: string | null;
  /** What it is about within the connection, for a rule that finds several there (an agent's new destination, one target's errors). */
  subject?: string;
  /** The failure's name, from its runbook's title ("refresh race"); filled in by the doctor. */
  title?: string;
  summary: string;
  evidence: Evidence[];
  actions: ActionRef[];
  state: FindingState;
  /** Resolved findings: when the success that ended it happened (it is also the last evidence). */
  resolvedAt?: string;
}

export interface StoreStatus {
  backend: 'keychain' | 'file' | 'postgres';
  /** Why this backend is in use, e.g. "default", "BROKER_STORE=file", or the database (user@host:port/database, never the password). */
  reason: string;
  available: boolean;
  /** When unavailable: what went wrong, and the fix, in words. */
  problem?: string;
  /** Entries that are there but do not open or parse as a token bundle (their connections cannot hand out tokens). */
  damaged?: string[];
}

/**
 * What a rule may know while it reads the log: each connection's name and provider, nothing that
 * changes from one run to the next, so the state after the immutable rotated files can be cached.
 */
export type ProviderOf = ReadonlyMap<string, ProviderId>;

/** What is true now, given to a rule once every event has been read. */
export interface FinishContext {
  connections: readonly Connection[];
  now: Date;
  env: Readonly<Record<string, string | undefined>>;
  store: StoreStatus;
  /** The shared account of each connection's refreshes (refresh-story.ts), read by the refresh rules. */
  stories: ReadonlyMap<string, RefreshStory>;
}

/**
 * A diagnosis is a fold over the event log (STYLE 1): start() makes its state, observe() takes
 * one event at a time in log order, finish() turns the state into findings. The state is plain
 * data (objects, arrays, Maps, Sets) bounded by the number of connections, never by the log's
 * length; observe() must not read the clock, and finish() must not change the state (the doctor
 * finishes, reads what was appended, and finishes again).
 */
export interface Rule<S = unknown> {
  id: string;
  severity: Severity;
  start(): S;
  observe?(state: S, logged: LoggedEvent, providers: ProviderOf): void;
  finish(state: S, ctx: FinishContext): Finding[];
}

export function defineRule<S>(rule: Rule<S>): Rule {
  return rule as Rule;
}

export const severityRank: Record<Severity, number> = { critical: 0, error: 1, warning: 2, info: 3 };

/** Severities that make health error/critical and the exit code 1, when the finding is active. */
export function isFailing(finding: Finding): boolean {
  return finding.state === 'active' && (finding.severity === 'critical' || finding.severity === 'error');
}
