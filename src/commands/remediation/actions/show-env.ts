import { correctedProxyEnvironment } from '../../../core/proxy-environment.js';
import type { ActionExecutor } from '../run-remediation.js';

// Prints what to paste; changing another process's environment is not the broker's to do.
export const showEnv: ActionExecutor = async (_remediation, deps) => {
  const lines = correctedProxyEnvironment(deps.env, deps.state().list());
  if (lines.length === 0) return { ok: true, detail: 'the proxy environment needs no change' };
  return {
    ok: true,
    detail: `printed the corrected proxy environment (${lines.filter((l) => !l.startsWith('#')).length} lines to paste where the agents and the broker run)`,
    output: lines.join('\n'),
  };
};
