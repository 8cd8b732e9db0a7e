/** Exit codes, documented in the README. */
export const exitCodes = {
  ok: 0,
  /** Findings of severity error or critical (doctor, status), or the operation failed. */
  failed: 1,
  /** Bad usage or bad input, including a corrupt state.json. */
  usage: 2,
  /** A login is needed before this connection can hand out tokens. */
  loginNeeded: 3,
} as const;
export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];
