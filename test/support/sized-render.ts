import { EventEmitter } from 'node:events';
import { stripVTControlCharacters } from 'node:util';
import type { ReactElement } from 'react';

// ink-testing-library's render with a terminal size: its stdout always says 100 columns and no rows,
// so a screen could never be tested at 80×24. Ink must be imported after CI is cleared (it reads
// CI once, at import), so this module imports it only when a test renders.

class SizedStdout extends EventEmitter {
  readonly frames: string[] = [];
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write = (frame: string): boolean => {
    this.frames.push(frame);
    return true;
  };
  lastFrame = (): string | undefined => this.frames.at(-1);
}

class TestStdin extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  write = (data: string): void => {
    this.data = data;
    this.emit('readable');
    this.emit('data', data);
  };
  read = (): string | null => {
    const { data } = this;
    this.data = null;
    return data;
  };
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

export interface SizedApp {
  stdin: TestStdin;
  lastFrame: () => string | undefined;
  /** Changes the size and tells Ink, as a terminal's SIGWINCH would. */
  resize: (columns: number, rows: number) => void;
  unmount: () => void;
}

export async function renderSized(tree: ReactElement, size: { columns: number; rows: number } = { columns: 80, rows: 24 }): Promise<SizedApp> {
  const { render } = await import('ink');
  const stdout = new SizedStdout(size.columns, size.rows);
  const stderr = new SizedStdout(size.columns, size.rows);
  const stdin = new TestStdin();
  const instance = render(tree, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  return {
    stdin,
    lastFrame: stdout.lastFrame,
    resize: (columns, rows) => {
      stdout.columns = columns;
      stdout.rows = rows;
      stdout.emit('resize');
    },
    unmount: () => {
      instance.unmount();
      instance.cleanup();
    },
  };
}

/** A frame fits the terminal: fewer lines than its rows (Ink never scrolls it), none wider than its columns. */
export function assertFits(frame: string, size: { columns: number; rows: number }): void {
  const lines = stripVTControlCharacters(frame).split('\n');
  if (lines.length > size.rows - 1) throw new Error(`${lines.length} lines do not fit ${size.rows} rows:\n${frame}`);
  const wide = lines.find((l) => [...l].length > size.columns);
  if (wide !== undefined) throw new Error(`a line is wider than ${size.columns} columns: "${wide}"`);
}

export const keys = {
  up: '\u001B[A',
  down: '\u001B[B',
  pageUp: '\u001B[5~',
  pageDown: '\u001B[6~',
  enter: '\r',
  escape: '\u001B',
  backspace: '\u007F',
  ctrlC: '\u0003',
};
