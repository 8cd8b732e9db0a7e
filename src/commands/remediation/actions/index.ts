import type { ActionExecutors } from '../run-remediation.js';
import { acknowledge } from './acknowledge.js';
import { keepaliveAction, refreshAction, reloadSecretAction } from './refresh.js';
import { reloginAction } from './relogin.js';
import { restartHolder } from './restart-holder.js';
import { useFileStore } from './use-file-store.js';

// The actions the doctor can run. set-secret, rebind-installation and show-env are not here yet:
// the runner answers that they cannot run, and the runbook's Fix section says what to do by hand.
export const actionExecutors: ActionExecutors = {
  refresh: refreshAction,
  keepalive: keepaliveAction,
  'reload-secret': reloadSecretAction,
  relogin: reloginAction,
  acknowledge,
  'restart-holder': restartHolder,
  'use-file-store': useFileStore,
};
