import type { Connection } from './state-schema.js';

// A person's credential (kind personal) is not handed to CI: a pipeline that runs as somebody
// breaks when they leave, and does what they may do, not what the pipeline should.

/** The variables CI systems set, in the order they are named when several are. */
const ciVariables = ['GITHUB_ACTIONS', 'GITLAB_CI', 'BUILDKITE', 'JENKINS_URL', 'CIRCLECI', 'TRAVIS', 'TF_BUILD', 'TEAMCITY_VERSION', 'BITBUCKET_BUILD_NUMBER', 'CODEBUILD_BUILD_ID', 'DRONE', 'CI'] as const;

/** Which CI variable says this process runs in CI, or undefined outside CI. */
export function ciSystemOf(env: Readonly<Record<string, string | undefined>>): string | undefined {
  return ciVariables.find((name) => {
    const value = env[name];
    return value !== undefined && value !== '' && value !== 'false' && value !== '0';
  });
}

/** The environment with every CI variable removed: a process that is told it does not run in CI. */
export function withoutCiVariables(env: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  const outside = { ...env };
  for (const name of ciVariables) delete outside[name];
  return outside;
}

/** Why this connection's token is not handed to the caller, or undefined when it may be. */
export function personalInCiRefusal(connection: Pick<Connection, 'name' | 'kind' | 'account'>, caller: string): string | undefined {
  if (connection.kind !== 'personal') return undefined;
  return `"${connection.name}" is a personal connection${connection.account ? ` (${connection.account})` : ''}, and ${caller} runs in CI: a person's token is not handed to CI`;
}

/** The fix, in one place for the CLI and serve. */
export const personalInCiFix = 'make a service connection for CI (broker connect NAME --kind service …, an App or a bot account); --allow-personal-in-ci hands it out anyway, and is logged';
