import { hostname, userInfo } from 'node:os';

/** Who ran a remediation, as user@host, for the remediation event and acknowledgements. */
export function operatorName(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): keep "unknown".
  }
  return `${user}@${hostname()}`;
}
