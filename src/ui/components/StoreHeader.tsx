import { Box, Text } from 'ink';
import type { ReactElement } from 'react';
import type { StoreStatus } from '../../core/findings.js';
import { stripControl } from '../../core/strip-control.js';
import { describeStore } from '../../output/status-columns.js';
import { theme } from '../theme.js';

export function StoreHeader({ title, store }: { title: string; store: StoreStatus }): ReactElement {
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold color={theme.heading}>{title}</Text>
        <Text color={theme.muted}>{'  '}{describeStore(store)}</Text>
      </Text>
      {!store.available && <Text color={theme.problem}>store unavailable: {stripControl(store.problem ?? 'unknown problem')}</Text>}
    </Box>
  );
}
