import { useRef } from 'react';
import { visibleRange, type VisibleRange } from '../viewport.js';

/** The rows a viewport shows, remembering where it was so the window moves only when the cursor leaves it. */
export function useVisibleRange(cursor: number, height: number, total: number): VisibleRange {
  const start = useRef(0);
  const range = visibleRange(start.current, cursor, height, total);
  start.current = range.start;
  return range;
}
