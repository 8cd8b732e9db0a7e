import { createInterface } from 'node:readline/promises';
import type { Io } from './deps.js';

/** Asks a y/N question on stderr; only "y" or "yes" is a yes. Callers ask only when stdin is a terminal. */
export async function askYesNo(io: Io, question: string): Promise<boolean> {
  const prompt = createInterface({ input: io.stdin, output: io.stderr });
  try {
    const answer = await prompt.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}
