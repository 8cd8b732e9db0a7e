import type { HealthRow } from '../core/health-rows.js';
import { columnWidths, statusColumns, type StatusColumn } from '../output/status-columns.js';

// Fits the health grid to the terminal: shrink the widest columns first, then hide the least needed.

export interface PlacedColumn {
  column: StatusColumn;
  width: number;
}

export const gridGap = 2;
// First to go when even the narrowest widths do not fit; the detail view still shows them.
const hideOrder = ['SCOPES', 'KIND', 'LAST REFRESH', 'ACCOUNT', 'PROVIDER', 'IDLE'];

/** `reserved` is what each line spends outside the columns (the selection marker, the badge's padding). */
export function layoutGrid(rows: readonly HealthRow[], columns: number, reserved: number): PlacedColumn[] {
  const widths = columnWidths(rows, true);
  const all = statusColumns.map((column, i) => ({ column, width: widths[i] ?? 0 }));
  let placed = all;
  for (let hidden = 0; hidden <= hideOrder.length; hidden++) {
    const hide = hideOrder.slice(0, hidden);
    placed = all.filter((p) => !hide.includes(p.column.header)).map((p) => ({ ...p }));
    if (shrinkToFit(placed, columns - reserved)) break;
  }
  return placed;
}

/** Takes one column from the column with the most room above its minimum until the line fits; false if it cannot. */
function shrinkToFit(placed: PlacedColumn[], room: number): boolean {
  const total = (): number => placed.reduce((sum, p) => sum + p.width, 0) + gridGap * (placed.length - 1);
  const slack = (p: PlacedColumn): number => p.width - Math.min(p.width, p.column.minWidth);
  while (total() > room) {
    const widest = placed.reduce((a, b) => (slack(b) > slack(a) ? b : a));
    if (slack(widest) === 0) return false;
    widest.width -= 1;
  }
  return true;
}

/** Cuts text to width with an ellipsis, so a cut is never mistaken for the whole value. */
export function fitCell(text: string, width: number): string {
  if (text.length <= width) return text.padEnd(width);
  return width <= 1 ? text.slice(0, width) : `${text.slice(0, width - 1)}…`;
}
