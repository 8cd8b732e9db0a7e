import { addDays } from 'date-fns';
import { operatorName } from '../../../adapters/operator.js';
import type { ActionExecutor } from '../run-remediation.js';
import { requireConn } from './require-conn.js';

const acknowledgementDays = 7;

export const acknowledge: ActionExecutor = async (remediation, deps) => {
  const conn = requireConn(remediation);
  const until = addDays(deps.now(), acknowledgementDays).toISOString();
  const by = operatorName();
  await deps.state().update(conn, (c) => ({
    ...c,
    acknowledgements: [...c.acknowledgements.filter((a) => a.id !== remediation.findingId), { id: remediation.findingId, until, by }],
  }));
  return { ok: true, detail: `acknowledged ${remediation.findingId} on ${conn} until ${until} by ${by}` };
};
