// How long serve waits before trying a failing connection's refresh again (issue 8: fail fast, not
// in a storm). Doubling with jitter, so that many brokers failing at once do not retry in step.

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

/** invalid_grant, invalid_client, revoked: only a login or a fix helps, so retries are rare. */
export const lastingFailureBackoff: BackoffPolicy = { baseMs: 5_000, capMs: 5 * 60_000 };
/** 5xx, timeouts, rate limits, a busy lock: these pass, so retries come sooner. */
export const passingFailureBackoff: BackoffPolicy = { baseMs: 1_000, capMs: 60_000 };

/**
 * The wait after the n-th failure in a row (n ≥ 1): base × 2^(n−1), capped, with "equal jitter" —
 * half of it fixed, half random — so a retry never comes at once and never later than the ceiling.
 */
export function backoffDelayMs(failures: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, Math.min(failures, 32) - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
