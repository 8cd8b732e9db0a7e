import type { GithubStandin } from '../../fixtures/providers/github-standin.js';
import type { RunningOidcProvider } from '../../fixtures/providers/oidc-provider-server.js';

// The demo's providers, on 127.0.0.1 inside this process: a real OpenID provider (oidc-provider:
// rotating refresh tokens, reuse revokes the grant, device flow, an idle policy) and the stand-in
// for GitHub's API with one App installed on two owners. Both are the fixtures the tests use.

/**
 * The OAuth clients registered at the demo's provider: one most connections share, and one each for
 * the connection whose secret is rotated and the one that races (so its refreshes can be told apart).
 */
export const demoClients = {
  shared: { clientId: 'broker-demo', clientSecret: 'broker-demo-client-secret-1' },
  rotated: { clientId: 'billing-sync', clientSecret: 'billing-sync-client-secret-1' },
  racing: { clientId: 'deploy-agent', clientSecret: 'deploy-agent-client-secret-1' },
} as const;

/** Who signs in: the service account of the agents, and the person who owns a personal connection. */
export const demoAccounts = { service: 'agents@acme.test', person: 'dana@acme.test' } as const;

/** One GitHub App, installed on two owners: a connection bound to one of them is refused the other's repositories. */
export const demoGithubApp = {
  appId: 4201,
  installations: [
    { id: 51, account: 'acme' },
    { id: 52, account: 'globex' },
  ],
  repos: ['acme/api', 'acme/web', 'globex/billing'],
} as const;

export interface LocalProviders {
  oidc: RunningOidcProvider;
  github: GithubStandin;
  /** The App's private key (PEM), as GitHub hands it out once. */
  appPrivateKey: string;
  close(): Promise<void>;
}

export async function startLocalProviders(): Promise<LocalProviders> {
  // oidc-provider warns on import and on start that it runs on Node 20 and with its development
  // signing keys: both are known and intended for a local fixture, and would only be noise here.
  const { startOidcProvider } = await withoutFixtureWarnings(() => import('../../fixtures/providers/oidc-provider-server.js'));
  const { startGithubStandin } = await import('../../fixtures/providers/github-standin.js');
  const [oidc, github] = await Promise.all([
    withoutFixtureWarnings(() =>
      startOidcProvider({
        clientId: demoClients.shared.clientId,
        clientSecret: demoClients.shared.clientSecret,
        clients: [demoClients.rotated, demoClients.racing],
        accounts: [demoAccounts.service, demoAccounts.person],
        // An hour, as most providers give: the grid's expiry column reads like production.
        accessTokenTtl: 3600,
      }),
    ),
    startGithubStandin(),
  ]);
  const app = github.addApp(demoGithubApp.appId);
  for (const installation of demoGithubApp.installations) github.addInstallation({ ...installation, appId: app.appId });
  for (const repo of demoGithubApp.repos) github.addRepo(repo);
  return {
    oidc,
    github,
    appPrivateKey: app.privateKeyPem,
    close: async () => {
      await Promise.allSettled([oidc.close(), github.close()]);
    },
  };
}

async function withoutFixtureWarnings<T>(run: () => Promise<T>): Promise<T> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('oidc-provider WARNING')) return;
    warn(...args);
  };
  try {
    return await run();
  } finally {
    console.warn = warn;
  }
}
