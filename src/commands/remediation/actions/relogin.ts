import { loginCommand } from '../../login.js';
import type { ActionExecutor } from '../run-remediation.js';
import { requireConn } from './require-conn.js';

// The guided login itself (browser or device code, the account check, the connection's scopes);
// its steps go to stderr so that stdout keeps only the doctor's result.
export const reloginAction: ActionExecutor = async (remediation, deps) => {
  const conn = requireConn(remediation);
  const opts = loginCommand.parse({}, [conn]);
  const code = await loginCommand.run(opts, { ...deps, mode: 'text', io: { ...deps.io, stdout: deps.io.stderr } });
  return code === 0 ? { ok: true, detail: `${conn}: logged in again as its account` } : { ok: false, detail: `${conn}: the login did not complete (exit ${code})` };
};
