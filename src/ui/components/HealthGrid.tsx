import { Badge } from '@inkjs/ui';
import { Box, Text } from 'ink';
import type { ReactElement } from 'react';
import type { HealthRow } from '../../core/health-rows.js';
import { fitCell, gridGap, layoutGrid } from '../grid-layout.js';
import { theme } from '../theme.js';
import type { VisibleRange } from '../viewport.js';

const marker = '› ';
// The health badge pads its label with a space on each side.
const reserved = marker.length + 2;

/**
 * The column header, then the rows of the visible range; the selected one is marked and coloured.
 * Rows arrive decided (STYLE 8); columns are laid out over every row, so scrolling never shifts them.
 */
export function HealthGrid({ rows, selected, range, width }: { rows: HealthRow[]; selected: string | null; range: VisibleRange; width: number }): ReactElement {
  const placed = layoutGrid(rows, width, reserved);
  const gap = ' '.repeat(gridGap);
  const text = placed.filter((p) => p.column.header !== 'HEALTH');
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        {' '.repeat(marker.length)}
        {placed.map((p) => fitCell(p.column.header, p.width + (p.column.header === 'HEALTH' ? 2 : 0))).join(gap)}
      </Text>
      {rows.slice(range.start, range.end).map((row) => {
        const isSelected = row.name === selected;
        return (
          <Text key={row.name} wrap="truncate">
            <Text color={theme.selected}>{isSelected ? marker : ' '.repeat(marker.length)}</Text>
            <Text color={isSelected ? theme.selected : undefined} bold={isSelected}>
              {text.map((p) => fitCell(p.column.cell(row), p.width)).join(gap)}
              {gap}
            </Text>
            <Badge color={row.colour}>{row.health}</Badge>
          </Text>
        );
      })}
    </Box>
  );
}
