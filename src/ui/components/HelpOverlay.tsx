import { Box, Text } from 'ink';
import type { ReactElement } from 'react';
import type { HelpEntry } from '../help-keys.js';
import { theme } from '../theme.js';

/** Every key of the view underneath, in place of its body (Esc or ? closes it). */
export function HelpOverlay({ title, entries, height }: { title: string; entries: HelpEntry[]; height: number }): ReactElement {
  const width = Math.max(...entries.map((e) => e.keys.length));
  // The border takes two lines; a list longer than the room is cut with a count, never past the frame.
  const room = Math.max(1, height - 3);
  const shown = entries.length > room ? entries.slice(0, room - 1) : entries;
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={theme.heading} paddingX={1}>
      <Text bold color={theme.heading} wrap="truncate-end">
        keys: {title}
      </Text>
      {shown.map((e) => (
        <Text key={e.keys} wrap="truncate-end">
          <Text bold>{e.keys.padEnd(width)}</Text>  {e.what}
        </Text>
      ))}
      {shown.length < entries.length ? <Text color={theme.muted}>… {entries.length - shown.length} more</Text> : null}
    </Box>
  );
}
