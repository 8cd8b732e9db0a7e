import { Badge } from '@inkjs/ui';
import { Box, Text } from 'ink';
import type { ReactElement } from 'react';
import { healthOfSeverity, type HealthRow } from '../../core/health-rows.js';
import { stripControl } from '../../core/strip-control.js';
import { connectionDetail } from '../../output/connection-detail.js';
import { theme } from '../theme.js';

/** Everything about one connection, then its findings in the window with their summaries. */
export function ConnectionDetail({ row, now }: { row: HealthRow; now: Date }): ReactElement {
  const lines = connectionDetail(row, now);
  const width = Math.max(...lines.map((l) => l.label.length));
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold>{row.name}</Text> <Badge color={row.colour}>{row.health}</Badge>
      </Text>
      <Box flexDirection="column" marginLeft={2} marginTop={1}>
        {lines.map((l, i) => (
          <Text key={i}>
            <Text color={theme.muted}>{l.label.padEnd(width)}</Text>  {l.value}
          </Text>
        ))}
      </Box>
      <Box flexDirection="column" marginTop={1}>
        <Text bold color={theme.heading}>Findings (last 24 h)</Text>
        {row.findings.length === 0 && row.notes.length === 0 && <Text color={theme.muted}>  none</Text>}
        {row.findings.map((f, i) => (
          <Text key={`f${i}`}>
            {'  '}
            <Text color={theme.health[healthOfSeverity(f.severity)]}>{f.severity}</Text> {f.id}: {stripControl(f.summary)}
          </Text>
        ))}
        {row.notes.map((n, i) => (
          <Text key={`n${i}`}>
            {'  '}
            <Text color={theme.health.error}>error</Text> {n}
          </Text>
        ))}
      </Box>
    </Box>
  );
}
