import { loginCommand } from '../../login.js';
import type { ActionExecutor } from '../run-remediation.js';
import { requireConn } from './require-conn.js';

// The guided login itself (browser or device code, the account check, the connection's scopes);
// its steps go to stderr so that stdout keeps only the doctor's result.
export const reloginAction: ActionExecutor = async (remediation, deps) => {
  const conn = requireConn(remediation);
  // In the TUI the steps show in the fix's box: a device code and its short address read best there,
  // so it is preferred; a provider without one falls back to the browser, whose URL the box wraps.
  const opts = { ...loginCommand.parse({}, [conn]), preferDevice: deps.mode === 'tty', signal: deps.signal };
  const code = await loginCommand.run(opts, { ...deps, mode: 'text', io: { ...deps.io, stdout: deps.io.stderr } });
  return code === 0 ? { ok: true, detail: `${conn}: logged in again as its account` } : { ok: false, detail: `${conn}: the login did not complete (exit ${code})` };
};
