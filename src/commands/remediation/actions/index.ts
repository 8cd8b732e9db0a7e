import type { ActionId } from '../../../core/findings.js';
import type { ActionExecutor } from '../run-remediation.js';

// Every action a finding can offer has its executor here (test/commands/remediation checks it).
// Each is loaded when it runs, not with the doctor: the refresh brings openid-client, the rebind
// @octokit, restart-holder execa (together ≈ 330 KB the doctor's first frame would wait for).
const loaded =
  <M>(load: () => Promise<M>, pick: (module: M) => ActionExecutor): ActionExecutor =>
  async (remediation, deps) =>
    pick(await load())(remediation, deps);

export const actionExecutors: Record<ActionId, ActionExecutor> = {
  refresh: loaded(() => import('./refresh.js'), (m) => m.refreshAction),
  keepalive: loaded(() => import('./refresh.js'), (m) => m.keepaliveAction),
  'reload-secret': loaded(() => import('./refresh.js'), (m) => m.reloadSecretAction),
  relogin: loaded(() => import('./relogin.js'), (m) => m.reloginAction),
  acknowledge: loaded(() => import('./acknowledge.js'), (m) => m.acknowledge),
  'restart-holder': loaded(() => import('./restart-holder.js'), (m) => m.restartHolder),
  'use-file-store': loaded(() => import('./use-file-store.js'), (m) => m.useFileStore),
  'set-secret': loaded(() => import('./set-secret.js'), (m) => m.setSecret),
  'rebind-installation': loaded(() => import('./rebind-installation.js'), (m) => m.rebindInstallation),
  'show-env': loaded(() => import('./show-env.js'), (m) => m.showEnv),
};
