import type { ActionId, ActionRef, Finding } from './findings.js';

/** A fix, as data: what it is for and what it will do, shown before the y/N. It runs only in the runner. */
export interface Remediation {
  action: ActionId;
  findingId: string;
  conn: string | null;
  description: string;
}

const describeAction: Record<ActionId, (conn: string) => string> = {
  refresh: (c) => `refresh ${c} now under its lock (a token another process already refreshed is adopted, not refreshed again)`,
  relogin: (c) => `log ${c} in again as its account (browser, or device code over SSH), keeping its scopes`,
  'reload-secret': (c) => `re-read ${c}'s client secret from its source, then probe the token endpoint with it`,
  'set-secret': (c) => `store a new client secret for ${c} (read from stdin, never echoed), then probe the token endpoint`,
  'rebind-installation': (c) => `look up the GitHub App installation that owns the failing repository and bind ${c} to it`,
  keepalive: (c) => `refresh ${c} now so its refresh token's idle clock starts again`,
  'restart-holder': (c) => `run ${c}'s configured holder command so the agent picks up the current token`,
  'show-env': () => 'print the corrected proxy environment (nothing is changed)',
  acknowledge: (c) => `acknowledge this finding on ${c} for 7 days (recorded with your name)`,
  'use-file-store': () => 'show how to switch to the encrypted file token store (nothing is changed)',
};

export function planRemediation(finding: Finding, action: ActionRef): Remediation {
  return {
    action: action.action,
    findingId: finding.id,
    conn: finding.conn,
    description: describeAction[action.action](finding.conn ?? 'the broker'),
  };
}

/** Finds a finding's action by its key or its id, for `doctor --fix ID [--action A]` and key presses. */
export function pickAction(finding: Finding, keyOrId?: string): ActionRef | undefined {
  if (keyOrId === undefined) return finding.actions[0];
  return finding.actions.find((a) => a.key === keyOrId || a.action === keyOrId);
}
