// `npm run bench`: runs every bench/*.bench.ts in turn, each in its own process so that one
// benchmark's memory and warm caches do not colour the next. Figures, not tests: a MISS is
// reported, not failed on; only a benchmark that crashes makes the run exit non-zero.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(benchDir)
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => only.length === 0 || only.some((o) => name.includes(o)))
  .sort();

let crashed = 0;
for (const file of files) {
  process.stdout.write(`\n== ${file}\n`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', `${benchDir}${file}`], { stdio: 'inherit' });
  if (run.status !== 0) {
    crashed++;
    process.stdout.write(`${file} exited with ${run.status ?? run.signal}\n`);
  }
}
process.exit(crashed === 0 ? 0 : 1);
