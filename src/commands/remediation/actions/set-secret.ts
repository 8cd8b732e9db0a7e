import { oneLineSecret } from '../../../adapters/client-secret.js';
import { acquireRefreshLock } from '../../../adapters/refresh-lock.js';
import { BrokerError } from '../../../core/broker-error.js';
import { exitCodes } from '../../../core/exit-codes.js';
import { fingerprint } from '../../../core/fingerprint.js';
import { refreshNow } from '../../refresh.js';
import type { ActionExecutor } from '../run-remediation.js';
import { requireConn } from './require-conn.js';

/**
 * A new client secret, typed without echo, kept in the connection's token-store entry (its source
 * becomes `keychain`), then used at once for a refresh: the re-check sees the client accepted.
 */
export const setSecret: ActionExecutor = async (remediation, deps) => {
  const conn = requireConn(remediation);
  const connection = deps.state().get(conn);
  if (!connection) throw new BrokerError(`no connection named "${conn}"`, exitCodes.usage);
  if (!deps.askSecret) throw new BrokerError('set-secret reads the new secret from a terminal, or from stdin with --yes', exitCodes.usage, `printf %s "$SECRET" | broker doctor --fix ${remediation.findingId} --conn ${conn} --action set-secret --yes`);
  const typed = await deps.askSecret(`New client secret for ${conn} (not shown as you type):`);
  if (typed === null) return { ok: false, detail: 'cancelled: nothing was stored' };
  const secret = oneLineSecret(typed, 'the new client secret', 'paste the secret as the provider shows it, on one line');
  // Under the refresh lock: a refresh in flight writes the whole bundle, and would put the old secret back.
  const lock = await acquireRefreshLock(deps.paths, conn, deps.env);
  try {
    const entry = await deps.tokens().readEntry(conn);
    await deps.tokens().write(conn, { ...(entry ?? {}), client_secret: secret });
    await deps.state().update(conn, (c) => ({ ...c, clientSecretSource: 'keychain' }));
  } finally {
    await lock.release();
  }
  const previous = connection.clientSecretSource;
  const others =
    previous && previous !== 'keychain'
      ? `Still holding the old secret: every other process or host that reads it from ${previous} (agents started with it, CI jobs, other broker homes). Update ${previous} there too, or point them at this home.`
      : 'Still holding the old secret: other broker homes (other hosts, CI) keep their own copy; set it there too.';
  const stored = `${conn}: stored the new client secret (fp ${fingerprint(secret)}) in its token-store entry; its source is now keychain`;
  const { report } = await refreshNow(deps, conn, 'manual');
  if (report.outcome === 'error') return { ok: false, detail: `${stored}, but the refresh with it failed: ${report.error}`, output: others };
  return { ok: true, detail: `${stored}; the token endpoint accepted it (generation ${report.generation})`, output: others };
};
