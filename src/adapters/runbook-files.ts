import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRunbook, type Runbook } from '../core/runbook.js';
import { packagePath } from './package-path.js';

export function runbooksDir(): string {
  return packagePath('runbooks');
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
