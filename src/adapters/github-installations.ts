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

/**
 * Who could serve a request refused as wrong-installation: a connection of this home bound to an
 * installation on `owner` (those in `preferred` first), else the App's own installation on it, looked
 * up with its JWT. Nothing when neither is known; a failed lookup is reported through `warn`.
 */
export async function alternativesForOwner(
  connection: Connection,
  owner: string,
  connections: readonly Connection[],
  options: { preferred?: readonly string[]; privateKey: () => Promise<string | undefined>; installations?: (appId: number, load: () => Promise<InstallationRef[]>) => Promise<InstallationRef[]>; warn: (message: string) => void },
): Promise<{ connection?: string; installation?: InstallationRef }> {
  const lower = owner.toLowerCase();
  const preferred = new Set(options.preferred ?? []);
  const covering = connections
    .filter((c) => c.provider === 'github-app' && c.installation?.account.toLowerCase() === lower)
    .sort((a, b) => Number(preferred.has(b.name)) - Number(preferred.has(a.name)))[0];
  if (covering?.installation) return { connection: covering.name, installation: covering.installation };
  const appId = connection.appId;
  if (appId === undefined) return {};
  const load = async (): Promise<InstallationRef[]> => {
    const key = await options.privateKey();
    return key ? installationsOfApp(connection, key) : [];
  };
  try {
    const list = options.installations ? await options.installations(appId, load) : await load();
    const installation = coveringInstallation(list, owner);
    return installation ? { installation } : {};
  } catch (err) {
    options.warn(`the installations of GitHub App ${appId} could not be listed: ${(err as Error).message}`);
    return {};
  }
}
