import type { ActionId, ActionRef, Finding } from './findings.js';

/** A fix, as data: what it is for and what it will do, shown before the y/N. It runs only in the runner. */
export interface Remediation {
  action: ActionId;
  findingId: string;
  conn: string | null;
  /** What the finding is about within the connection (the repository a rebind must cover). */
  subject?: string;
  description: string;
}

const describeAction: Record<ActionId, (conn: string, subject?: string) => string> = {
  refresh: (c) => `refresh ${c} now under its lock (a token another process already refreshed is adopted, not refreshed again)`,
  relogin: (c) => `log ${c} in again as its account (a device code in the doctor and over SSH, else a browser), keeping its scopes`,
  'reload-secret': (c) => `re-read ${c}'s client secret from its source, then probe the token endpoint with it`,
  'set-secret': (c) => `store a new client secret for ${c} in its token store (typed, never echoed), then refresh with it`,
  'rebind-installation': (c, subject) => `look up the GitHub App installation that covers ${subject ?? 'the failing repository'} with the app's JWT, bind ${c} to it, mint a token and fetch the repository`,
  keepalive: (c) => `refresh ${c} now so its refresh token's idle clock starts again`,
  'restart-holder': (c) => `run ${c}'s configured holder command so the agent picks up the current token`,
  'show-env': () => 'print the corrected proxy environment (nothing is changed)',
  acknowledge: (c) => `acknowledge this finding on ${c} for 7 days (recorded with your name)`,
  'use-file-store': () => 'show how to switch to the encrypted file token store (nothing is changed)',
};

/** Actions that only show what to change (another process's environment, a choice of store): the finding stays until a person acts on it. */
export const showOnlyActions: ReadonlySet<ActionId> = new Set(['show-env', 'use-file-store']);

/** The re-check's verdict in words, the same on every screen. */
export function recheckVerdict(result: { held: boolean; showOnly?: boolean }, where = 'the finding'): string {
  if (result.held) return `${where} is gone`;
  return result.showOnly ? `${where} stays until what is shown above is done` : `${where} is still there`;
}

export function planRemediation(finding: Finding, action: ActionRef): Remediation {
  return {
    action: action.action,
    findingId: finding.id,
    conn: finding.conn,
    ...(finding.subject !== undefined ? { subject: finding.subject } : {}),
    description: describeAction[action.action](finding.conn ?? 'the broker', finding.subject),
  };
}

/** Finds a finding's action by its key or its id, for `doctor --fix ID [--action A]` and key presses. */
export function pickAction(finding: Finding, keyOrId?: string): ActionRef | undefined {
  if (keyOrId === undefined) return finding.actions[0];
  return finding.actions.find((a) => a.key === keyOrId || a.action === keyOrId);
}
