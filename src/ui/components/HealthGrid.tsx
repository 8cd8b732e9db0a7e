import { Badge } from '@inkjs/ui';
import { Box, Text, useStdout } from 'ink';
import type { ReactElement } from 'react';
import type { HealthRow } from '../../core/health-rows.js';
import { fitCell, gridGap, layoutGrid } from '../grid-layout.js';
import { theme } from '../theme.js';

const marker = '› ';
// The health badge pads its label with a space on each side.
const reserved = marker.length + 2;

/** One line per connection; the selected one is marked and coloured. Rows arrive decided (STYLE 8). */
export function HealthGrid({ rows, selected }: { rows: HealthRow[]; selected: string | null }): ReactElement {
  const { stdout } = useStdout();
  const placed = layoutGrid(rows, stdout.columns || 80, reserved);
  const gap = ' '.repeat(gridGap);
  const text = placed.filter((p) => p.column.header !== 'HEALTH');
  return (
    <Box flexDirection="column">
      <Text bold>
        {' '.repeat(marker.length)}
        {placed.map((p) => fitCell(p.column.header, p.width + (p.column.header === 'HEALTH' ? 2 : 0))).join(gap)}
      </Text>
      {rows.map((row) => {
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
