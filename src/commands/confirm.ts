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

/**
 * Reads one line from the terminal without echoing it (a secret): raw mode, Enter ends it,
 * Backspace deletes, Ctrl+C or Esc cancels (null). Callers ask only when stdin is a terminal.
 */
export function askHidden(io: Io, prompt: string): Promise<string | null> {
  const stdin = io.stdin as Io['stdin'] & { setRawMode?: (raw: boolean) => void };
  io.stderr.write(`${prompt} `);
  return new Promise((resolve) => {
    let typed = '';
    const done = (value: string | null) => {
      stdin.off('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      io.stderr.write('\n');
      resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(typed);
        if (ch === '\u0003' || ch === '\u001b') return done(null);
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    stdin.setRawMode?.(true);
    stdin.on('data', onData);
    stdin.resume();
  });
}
