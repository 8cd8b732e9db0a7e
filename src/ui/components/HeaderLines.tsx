import { Text } from 'ink';
import type { ReactElement } from 'react';
import type { StoreStatus } from '../../core/findings.js';
import { stripControl } from '../../core/strip-control.js';
import { describeStore } from '../../output/status-columns.js';
import { theme } from '../theme.js';

/**
 * The top of a view: its title with the token store (once known), the lines of a standing notice
 * (the demo's hints), and a store that cannot be used; one terminal line each.
 */
export function headerLines(title: string, store: StoreStatus | undefined, notice: string[]): ReactElement[] {
  const lines = [
    <Text key="title" wrap="truncate-end">
      <Text bold color={theme.heading}>{title}</Text>
      {store ? <Text color={theme.muted}>{'  '}{describeStore(store)}</Text> : null}
    </Text>,
    ...notice.map((line, i) => (
      <Text key={`notice-${i}`} color={theme.ask} wrap="truncate-end">
        {stripControl(line)}
      </Text>
    )),
  ];
  if (store && !store.available) lines.push(<Text key="store" color={theme.problem} wrap="truncate-end">store unavailable: {stripControl(store.problem ?? 'unknown problem')}</Text>);
  return lines;
}
