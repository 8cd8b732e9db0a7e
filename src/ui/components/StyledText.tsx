import { Text } from 'ink';
import type { ReactElement } from 'react';
import type { StyledLine } from '../../output/styled-lines.js';
import { theme } from '../theme.js';

/** One laid-out line, exactly one terminal line: anything wider is cut with "…". */
export function StyledText({ line, inverse, dim }: { line: StyledLine; inverse?: boolean; dim?: boolean }): ReactElement {
  return (
    <Text wrap="truncate-end" inverse={inverse} dimColor={dim}>
      {line.length === 0 ? ' ' : line.map((span, i) => (
        <Text key={i} {...theme.span[span.style]} dimColor={dim || undefined}>
          {span.text}
        </Text>
      ))}
    </Text>
  );
}
