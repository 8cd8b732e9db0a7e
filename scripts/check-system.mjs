// npm test needs a few programs beyond Node (a real keychain, a real terminal, a clock it can move):
// on a machine without them it stops at once, naming the Debian packages, instead of failing late.
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const wanted = readFileSync(new URL('./system-packages.txt', import.meta.url), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'))
  .map((line) => line.split(/\s+/));
const present = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
const missing = [...new Set(wanted.filter(([command]) => !present(command)).map(([, pkg]) => pkg))];
if (missing.length > 0) {
  process.stderr.write(`npm test needs: ${missing.join(' ')} (Debian: apt-get install -y ${missing.join(' ')}; .ci/run installs them)\n`);
  process.exit(1);
}
