import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

export interface TerminalSize {
  columns: number;
  rows: number;
}

// A stream that is not a terminal reports no size; the screens then lay out for the smallest one they promise to fit.
const fallback: TerminalSize = { columns: 80, rows: 24 };

function sizeOf(stdout: NodeJS.WriteStream): TerminalSize {
  return { columns: stdout.columns || fallback.columns, rows: stdout.rows || fallback.rows };
}

/** Ink's stdout columns and rows, following resize events. */
export function useTerminalSize(): TerminalSize {
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => sizeOf(stdout));
  useEffect(() => {
    const onResize = () => setSize((was) => {
      const now = sizeOf(stdout);
      return now.columns === was.columns && now.rows === was.rows ? was : now;
    });
    onResize();
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}
