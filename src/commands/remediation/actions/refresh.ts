import { describeRefresh, refreshNow } from '../../refresh.js';
import type { ActionExecutor } from '../run-remediation.js';
import { requireConn } from './require-conn.js';

/**
 * refresh, keepalive and reload-secret are one operation: a refresh under the connection's lock.
 * It re-reads the client secret from its source on every run, so it is also the probe that tells
 * whether the token endpoint accepts the reloaded secret.
 */
function refreshUnder(trigger: 'manual' | 'keepalive'): ActionExecutor {
  return async (remediation, deps) => {
    const conn = requireConn(remediation);
    const { report } = await refreshNow(deps, conn, trigger);
    if (report.outcome === 'error') return { ok: false, detail: [report.error, report.hint].filter(Boolean).join('; ') };
    return { ok: true, detail: `${conn}: ${describeRefresh(report)} (generation ${report.generation}, access token fp ${report.accessTokenFp})` };
  };
}

export const refreshAction = refreshUnder('manual');
export const keepaliveAction = refreshUnder('keepalive');
export const reloadSecretAction = refreshAction;
