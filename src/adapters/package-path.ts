import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A path inside the repository (runbooks/, fixtures/), from wherever this code runs: dist/broker.mjs,
 * a chunk in dist/chunks/, or src/adapters/ under tsx.
 */
export function packagePath(relative: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '..', relative), join(here, '..', '..', relative)];
  return candidates.find((path) => existsSync(path)) ?? candidates[0]!;
}
