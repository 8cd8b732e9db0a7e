import { Box } from 'ink';
import type { ReactElement } from 'react';
import type { Finding } from '../../core/findings.js';
import { stripControl } from '../../core/strip-control.js';
import type { Span } from '../../output/styled-lines.js';
import { findingKey } from '../doctor-state.js';
import type { VisibleRange } from '../viewport.js';
import { StyledText } from './StyledText.js';

export type ListLine = { kind: 'finding'; finding: Finding } | { kind: 'heading'; text: string };

export const resolvedHeading = 'resolved (history, not health)';

/** The active findings, then a heading and the resolved ones: one terminal line each. */
export function findingListLines(findings: readonly Finding[]): ListLine[] {
  const active = findings.filter((f) => f.state === 'active');
  const resolved = findings.filter((f) => f.state !== 'active');
  return [
    ...active.map((finding) => ({ kind: 'finding' as const, finding })),
    ...(resolved.length > 0 ? [{ kind: 'heading' as const, text: `${resolvedHeading}: ${resolved.length}` }] : []),
    ...resolved.map((finding) => ({ kind: 'finding' as const, finding })),
  ];
}

/** The rows of the visible range; the selected one marked and inverted; resolved ones dimmed, with the time they ended. */
export function FindingList({ lines, selected, range, until }: { lines: ListLine[]; selected: string | null; range: VisibleRange; until: string | undefined }): ReactElement {
  return (
    <Box flexDirection="column">
      {lines.slice(range.start, range.end).map((line, i) => {
        if (line.kind === 'heading') return <StyledText key={`h${i}`} line={[{ text: line.text, style: 'muted' }]} />;
        const f = line.finding;
        const isSelected = findingKey(f) === selected;
        const resolved = f.state !== 'active';
        const label: Span[] = resolved
          ? [{ text: `${'resolved'.padEnd(8)} ${clock(f.resolvedAt, until)}`, style: 'muted' }]
          : [{ text: f.severity.toUpperCase().padEnd(8), style: f.severity }];
        return (
          <StyledText
            key={findingKey(f)}
            inverse={isSelected}
            dim={resolved}
            line={[
              { text: isSelected ? '› ' : '  ', style: 'text' },
              ...label,
              { text: ' ', style: 'text' },
              { text: stripControl(f.title ?? f.id), style: 'strong' },
              { text: ` ${stripControl(f.conn ?? '')} · ${stripControl(withoutConn(f))}`, style: 'text' },
            ]}
          />
        );
      })}
    </Box>
  );
}

/** Summaries start with their connection ("gh-work: 2 processes…"); the row names it already, and 80 columns are few. */
function withoutConn(f: Finding): string {
  return f.conn && f.summary.startsWith(`${f.conn}: `) ? f.summary.slice(f.conn.length + 2) : f.summary;
}

/** "08:58" on the day the window ends, "11-21 08:58" before it (UTC, as the evidence reads). */
function clock(iso: string | undefined, until: string | undefined): string {
  if (!iso) return '';
  return until && iso.slice(0, 10) === until.slice(0, 10) ? iso.slice(11, 16) : `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
}
