// `npm start` and `npm test` work as the first command on a fresh clone: the npm packages are
// installed (npm ci, from package-lock.json) when they are missing or older than the lock file.
import { existsSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const installed = new URL('../node_modules/.package-lock.json', import.meta.url);
const lock = new URL('../package-lock.json', import.meta.url);
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  process.stderr.write('installing the npm packages (npm ci)…\n');
  const run = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
