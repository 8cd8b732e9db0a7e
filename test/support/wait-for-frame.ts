import assert from 'node:assert/strict';
import { stripVTControlCharacters } from 'node:util';

/** Polls an ink-testing-library frame, ANSI stripped, until it passes the test: a wait for content, never a sleep. */
export async function waitForFrame(lastFrame: () => string | undefined, test: (frame: string) => boolean, what: string): Promise<string> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const frame = stripVTControlCharacters(lastFrame() ?? '');
    if (test(frame)) return frame;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; last frame:\n${frame}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
