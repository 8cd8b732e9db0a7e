import { execaCommand } from 'execa';
import { BrokerError } from '../../../core/broker-error.js';
import { stripControl } from '../../../core/strip-control.js';
import type { ActionExecutor } from '../run-remediation.js';
import { requireConn } from './require-conn.js';

const holderTimeoutMs = 60_000;

export const restartHolder: ActionExecutor = async (remediation, deps) => {
  const conn = requireConn(remediation);
  const command = deps.state().get(conn)?.holderCommand;
  if (!command) {
    throw new BrokerError(`${conn} has no holder command configured`, 1, `restart the agent by hand, then record it: broker connect … --holder-command "systemctl restart my-agent"`);
  }
  const result = await execaCommand(command, { shell: true, reject: false, timeout: holderTimeoutMs, stdin: 'ignore', all: true });
  const tail = stripControl((result.all ?? '').split('\n').filter(Boolean).slice(-1)[0] ?? '').slice(0, 200);
  if (result.timedOut) return { ok: false, detail: `"${command}" did not finish within ${holderTimeoutMs / 1000} s` };
  if (result.exitCode !== 0) return { ok: false, detail: `"${command}" exited ${result.exitCode}${tail ? `: ${tail}` : ''}` };
  return { ok: true, detail: `ran "${command}" (exit 0)` };
};
