import { createAppAuth } from '@octokit/auth-app';
import { request as octokitRequest } from '@octokit/request';
import { apiBaseOf } from '../core/api-base.js';
import type { Connection } from '../core/state-schema.js';

// Which installation of a GitHub App covers an owner: GET /app/installations with the App's JWT.
// Used to say "installation 888 covers globex" when a request for globex is refused (wrong-installation).

export interface InstallationRef {
  id: number;
  account: string;
}

const lookupTimeoutMs = 3_000;

/** Every installation of the connection's App, or a thrown error (the caller refuses without naming one). */
export async function installationsOfApp(connection: Connection, privateKey: string): Promise<InstallationRef[]> {
  if (connection.appId === undefined) return [];
  const request = octokitRequest.defaults({ baseUrl: apiBaseOf(connection), headers: { 'user-agent': 'broker' } });
  const auth = createAppAuth({ appId: connection.appId, privateKey, request });
  const { token } = await auth({ type: 'app' });
  const { data } = await request('GET /app/installations', {
    headers: { authorization: `bearer ${token}` },
    per_page: 100,
    request: { signal: AbortSignal.timeout(lookupTimeoutMs) },
  });
  return data.flatMap((i) => {
    // A user or organisation has a login; an enterprise installation has a slug instead.
    const account = i.account as { login?: unknown; slug?: unknown } | null;
    const login = account?.login ?? account?.slug;
    return typeof login === 'string' ? [{ id: i.id, account: login }] : [];
  });
}

/** The installation that covers `owner`, case-insensitively, or undefined. */
export function coveringInstallation(installations: readonly InstallationRef[], owner: string): InstallationRef | undefined {
  return installations.find((i) => i.account.toLowerCase() === owner.toLowerCase());
}
