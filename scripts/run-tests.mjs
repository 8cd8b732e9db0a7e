// Runs every test file under node's test runner inside a private D-Bus session with an
// unlocked gnome-keyring, so keychain tests use the real Secret Service.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function findTests(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return findTests(path);
    return /\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only : findTests('test').sort();
const env = { ...process.env };
// The CI this suite runs in must not leak into what it tests: `broker token` refuses personal
// connections in CI, and Ink draws only a last frame under CI=true. A test that wants CI sets it.
for (const name of ['CI', 'CONTINUOUS_INTEGRATION', 'GITHUB_ACTIONS', 'GITLAB_CI', 'BUILDKITE', 'JENKINS_URL', 'CIRCLECI', 'TRAVIS', 'TF_BUILD', 'TEAMCITY_VERSION', 'BITBUCKET_BUILD_NUMBER', 'CODEBUILD_BUILD_ID', 'DRONE']) delete env[name];
const result = spawnSync('scripts/with-keyring.sh', ['node', '--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
