import { Box } from 'ink';
import type { ReactElement, ReactNode } from 'react';

export interface FrameProps {
  width: number;
  /** Lines the whole frame takes: one less than the terminal, so Ink never scrolls it and every line is redrawn. */
  height: number;
  /** One terminal line each, always visible above the body. */
  top: ReactElement[];
  /** A box between the top and the body (a y/N, a running fix, its result), with the lines it takes. */
  banner?: { lines: number; element: ReactElement } | null;
  /** One terminal line each, always visible below the body. */
  bottom: ReactElement[];
  /** The body gets what is left. */
  children: (height: number) => ReactNode;
}

export function bodyHeight(height: number, top: number, banner: number, bottom: number): number {
  return Math.max(1, height - top - banner - bottom);
}

/**
 * The screen of every view: a frame of a fixed height, so a switch between views or a shorter
 * list redraws every line and no stale line of the last frame stays behind.
 */
export function Frame({ width, height, top, banner, bottom, children }: FrameProps): ReactElement {
  const body = bodyHeight(height, top.length, banner?.lines ?? 0, bottom.length);
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      {top}
      {banner?.element}
      <Box flexDirection="column" height={body} flexShrink={0} overflow="hidden">
        {children(body)}
      </Box>
      {bottom}
    </Box>
  );
}
