import type { ActionId } from '../../../core/findings.js';
import type { ActionExecutor } from '../run-remediation.js';
import { acknowledge } from './acknowledge.js';
import { keepaliveAction, refreshAction, reloadSecretAction } from './refresh.js';
import { reloginAction } from './relogin.js';
import { restartHolder } from './restart-holder.js';
import { rebindInstallation } from './rebind-installation.js';
import { setSecret } from './set-secret.js';
import { showEnv } from './show-env.js';
import { useFileStore } from './use-file-store.js';

// Every action a finding can offer has its executor here (test/commands/remediation checks it).
export const actionExecutors: Record<ActionId, ActionExecutor> = {
  refresh: refreshAction,
  keepalive: keepaliveAction,
  'reload-secret': reloadSecretAction,
  relogin: reloginAction,
  acknowledge,
  'restart-holder': restartHolder,
  'use-file-store': useFileStore,
  'set-secret': setSecret,
  'rebind-installation': rebindInstallation,
  'show-env': showEnv,
};
