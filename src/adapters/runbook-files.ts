import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRunbook, type Runbook } from '../core/runbook.js';

// runbooks/ sits at the repository root: one level above dist/broker.mjs, two above src/adapters/.
export function runbooksDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '..', 'runbooks'), join(here, '..', '..', 'runbooks')];
  return candidates.find((dir) => existsSync(dir)) ?? candidates[0]!;
}

/** The runbook for a finding id, or undefined when the file is missing (the doctor still reports the finding). */
export function readRunbook(id: string, dir = runbooksDir()): Runbook | undefined {
  const path = join(dir, `${id}.md`);
  if (!existsSync(path)) return undefined;
  return parseRunbook(readFileSync(path, 'utf8'));
}

export function readRunbooks(ids: readonly string[], dir = runbooksDir()): Map<string, Runbook> {
  const found = new Map<string, Runbook>();
  for (const id of ids) {
    const runbook = readRunbook(id, dir);
    if (runbook) found.set(id, runbook);
  }
  return found;
}
