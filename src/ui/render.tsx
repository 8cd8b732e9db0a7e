import { render, useApp } from 'ink';
import { useCallback, type ReactElement } from 'react';
import { exitCodes } from '../core/exit-codes.js';
import type { Io } from '../commands/deps.js';

/** A screen is built with onDone; calling it ends the program with that exit code. */
export type Screen = (onDone: (exitCode: number) => void) => ReactElement;

function Root({ screen }: { screen: Screen }): ReactElement {
  const { exit } = useApp();
  const onDone = useCallback((exitCode: number) => exit(exitCode), [exit]);
  return screen(onDone);
}

/** The one exit point of the Ink tree (STYLE 6): screens call onDone(code), this exits and awaits the unmount. */
export async function renderScreen(screen: Screen, io: Io): Promise<number> {
  // Raw mode before the first frame, not when Ink's input hook binds after it: a key pressed the
  // instant the screen shows would otherwise pass the terminal's line discipline, and Enter would
  // come as \n, which Ink does not read as Return (the key was lost).
  const stdin = io.stdin as NodeJS.ReadStream;
  const raw = stdin.isTTY === true && typeof stdin.setRawMode === 'function';
  if (raw) stdin.setRawMode(true);
  const instance = render(<Root screen={screen} />, {
    stdout: io.stdout as NodeJS.WriteStream,
    stdin: io.stdin as NodeJS.ReadStream,
    stderr: io.stderr as NodeJS.WriteStream,
    // Screens read Ctrl+C themselves, so it quits with the same exit code as q.
    exitOnCtrlC: false,
    patchConsole: false,
  });
  try {
    const result = await instance.waitUntilExit();
    return typeof result === 'number' ? result : exitCodes.ok;
  } finally {
    if (raw) stdin.setRawMode(false);
  }
}
