import { BrokerError } from '../../../core/broker-error.js';
import type { Remediation } from '../../../core/remediation.js';

export function requireConn(remediation: Remediation): string {
  if (remediation.conn === null) throw new BrokerError(`${remediation.action} needs a connection, and ${remediation.findingId} is not about one`);
  return remediation.conn;
}
