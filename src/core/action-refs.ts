import type { ActionId, ActionRef } from './findings.js';

// Rules attach actions by id; the key and label a person sees come from the finding's runbook
// front matter (withRunbook in runbook.ts). These are the fallbacks when a runbook omits one; none
// is a key the doctor keeps for itself (src/ui/key-press.ts reservedKeys: y n q R d s g G / ?).
const defaults: Record<ActionId, Omit<ActionRef, 'action'>> = {
  refresh: { key: 'r', label: 'Refresh now under the lock' },
  relogin: { key: 'l', label: 'Log in again' },
  'reload-secret': { key: 'c', label: 'Reload the client secret from its source' },
  'set-secret': { key: 'p', label: 'Enter a new client secret' },
  'rebind-installation': { key: 'b', label: 'Bind to the right installation' },
  keepalive: { key: 'k', label: 'Refresh now to reset the idle clock' },
  'restart-holder': { key: 'h', label: 'Restart the process holding the old token' },
  'show-env': { key: 'e', label: 'Show the corrected environment' },
  acknowledge: { key: 'a', label: 'Acknowledge for 7 days' },
  'use-file-store': { key: 'f', label: 'Use the encrypted file store' },
};

export function actionRefs(...ids: ActionId[]): ActionRef[] {
  return ids.map((action) => ({ action, ...defaults[action] }));
}
