import { Text } from 'ink';
import type { ReactElement } from 'react';
import { stripControl } from '../../core/strip-control.js';
import { theme } from '../theme.js';

/** Lines of a standing notice (the demo's hints), one terminal line each, under a view's title. */
export function noticeLines(notice: string[]): ReactElement[] {
  return notice.map((line, i) => (
    <Text key={`notice-${i}`} color={theme.ask} wrap="truncate-end">
      {stripControl(line)}
    </Text>
  ));
}
