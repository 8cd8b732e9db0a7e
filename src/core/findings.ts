import type { Connection } from './state-schema.js';
import type { LoggedEvent } from './events.js';

// Diagnosis vocabulary (DESIGN §4, §6): rules read Facts and yield Findings; actions are data.

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

export interface Finding {
  id: string;
  severity: Severity;
  /** The connection the finding is about; null for the store or the environment. */
  conn: string | null;
  summary: string;
  evidence: Evidence[];
  actions: ActionRef[];
}

export interface StoreStatus {
  backend: 'keychain' | 'file';
  /** Why this backend is in use, e.g. "default" or "BROKER_STORE=file". */
  reason: string;
  available: boolean;
  /** When unavailable: what went wrong, and the fix, in words. */
  problem?: string;
  /** Entries that are there but do not open or parse as a token bundle (their connections cannot hand out tokens). */
  damaged?: string[];
}

export interface Facts {
  connections: Connection[];
  events: LoggedEvent[];
  now: Date;
  env: Readonly<Record<string, string | undefined>>;
  store: StoreStatus;
}

export interface Rule {
  id: string;
  severity: Severity;
  check(facts: Facts): Finding[];
}

export const severityRank: Record<Severity, number> = { critical: 0, error: 1, warning: 2, info: 3 };
