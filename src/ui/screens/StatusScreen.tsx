import { Badge, Spinner } from '@inkjs/ui';
import { Box, Text } from 'ink';
import type { MutableRefObject, ReactElement } from 'react';
import { healthOfSeverity, type StatusReport, type StatusSnapshot } from '../../core/health-rows.js';
import { stripControl } from '../../core/strip-control.js';
import { emptyStatusHint } from '../../output/status-columns.js';
import type { Geometry } from '../app-state.js';
import { bodyHeight, Frame } from '../components/Frame.js';
import { HealthGrid } from '../components/HealthGrid.js';
import { HelpOverlay } from '../components/HelpOverlay.js';
import { headerLines } from '../components/HeaderLines.js';
import { StyledText } from '../components/StyledText.js';
import { connectionDetailLines } from '../connection-detail-lines.js';
import { footerText, type HelpEntry } from '../help-keys.js';
import type { TerminalSize } from '../hooks/use-terminal-size.js';
import { useVisibleRange } from '../hooks/use-visible-range.js';
import { visibleNames, type StatusViewState } from '../status-state.js';
import { theme } from '../theme.js';
import { describeRange } from '../viewport.js';

/** What `broker status` hands the app: how to read state and findings, and what it already read. */
export interface StatusSource {
  /** Re-reads state and findings, so a refresh made elsewhere shows up. */
  load: () => Promise<StatusSnapshot>;
  /** Read before the first frame, so it is not empty. */
  snapshot?: StatusSnapshot;
  reloadMs?: number;
}

export interface StatusScreenProps {
  state: StatusViewState;
  report: StatusReport | null;
  now: Date;
  reloadProblem: string | null;
  keys: HelpEntry[];
  helpOpen: boolean;
  size: TerminalSize;
  geometry: MutableRefObject<Geometry>;
  /** Lines under the title, always shown (the demo's hints). */
  notice?: string[];
}

const maxGeneralLines = 2;

/** The health grid (worst first), or one connection's details; both scroll in the viewport. */
export function StatusScreen({ state, report, now, reloadProblem, keys, helpOpen, size, geometry, notice = [] }: StatusScreenProps): ReactElement {
  const width = size.columns;
  const shown = new Set(visibleNames(state));
  const rows = report ? report.rows.filter((r) => shown.has(r.name)) : [];
  const detailRow = state.detailOpen && report ? report.rows.find((r) => r.name === state.selected) : undefined;

  const top: ReactElement[] = headerLines('broker status', report?.store, notice);
  if (reloadProblem) top.push(<Text key="reload" color={theme.problem} wrap="truncate-end">could not re-read the state: {stripControl(reloadProblem)}</Text>);

  const bottom: ReactElement[] = [];
  const general = detailRow ? [] : (report?.general ?? []);
  for (const f of general.slice(0, maxGeneralLines)) {
    bottom.push(
      <Text key={`g-${f.id}-${f.state}`} color={theme.health[healthOfSeverity(f.severity)]} wrap="truncate-end">
        {f.severity}: {f.id}: {stripControl(f.summary)}
      </Text>,
    );
  }
  if (general.length > maxGeneralLines) bottom.push(<Text key="g-more" color={theme.muted}>… {general.length - maxGeneralLines} more (d: the doctor)</Text>);
  if (!detailRow && (state.filter.editing || state.filter.query)) {
    bottom.push(
      <Text key="filter" wrap="truncate-end">
        <Text color={theme.selected}>/{stripControl(state.filter.query)}</Text>
        {state.filter.editing ? <Text inverse> </Text> : <Text color={theme.muted}>  (Esc clears)</Text>}
      </Text>,
    );
  }
  bottom.push(<Text key="footer" color={theme.muted} wrap="truncate-end">{footerText(keys, width)}</Text>);

  // One line for the grid's summary or the detail's title, and in the grid one for the column header.
  const height = bodyHeight(size.rows - 1, top.length + 1, 0, bottom.length);
  const gridRows = Math.max(1, height - 1);
  const cursor = Math.max(0, rows.findIndex((r) => r.name === state.selected));
  const range = useVisibleRange(cursor, gridRows, rows.length);
  const detail = detailRow ? connectionDetailLines(detailRow, now, width) : [];
  const detailTop = Math.min(state.detailTop, Math.max(0, detail.length - height));
  const detailRange = { start: detailTop, end: Math.min(detail.length, detailTop + height) };
  geometry.current = { page: detailRow ? height : gridRows, detailLines: detail.length };

  if (detailRow) {
    const position = describeRange(detailRange, detail.length);
    top.push(
      <Text key="head" wrap="truncate-end">
        <Text bold>{detailRow.name}</Text> <Badge color={detailRow.colour}>{detailRow.health}</Badge>
        {position ? <Text color={theme.muted}>  {position}</Text> : null}
      </Text>,
    );
  } else {
    top.push(<Text key="head" color={theme.muted} wrap="truncate-end">{report ? gridSummary(report, rows.length, state.filter.query, describeRange(range, rows.length)) : ' '}</Text>);
  }

  return (
    <Frame width={width} height={size.rows - 1} top={top} bottom={bottom}>
      {(body) =>
        helpOpen ? (
          <HelpOverlay title={detailRow ? 'a connection' : 'the health grid'} entries={keys} height={body} />
        ) : !report ? (
          <Spinner label="reading the state and the last 24 h of the log…" />
        ) : detailRow ? (
          <Box flexDirection="column">
            {detail.slice(detailRange.start, detailRange.end).map((line, i) => (
              <StyledText key={i} line={line} />
            ))}
          </Box>
        ) : report.rows.length === 0 ? (
          <Text>{emptyStatusHint}</Text>
        ) : rows.length === 0 ? (
          <Text color={theme.muted} wrap="truncate-end">no connection matches /{stripControl(state.filter.query)} (Esc clears the filter)</Text>
        ) : (
          <HealthGrid rows={rows} selected={state.selected} range={range} width={width} />
        )
      }
    </Frame>
  );
}

/** "60 connections: 2 critical, 1 error, 57 ok · 4 match · 12–33 of 60" */
function gridSummary(report: StatusReport, shown: number, query: string, position: string): string {
  const counts = new Map<string, number>();
  for (const r of report.rows) counts.set(r.health, (counts.get(r.health) ?? 0) + 1);
  const n = report.rows.length;
  const parts = [`${n} connection${n === 1 ? '' : 's'}${n > 0 ? `: ${[...counts].map(([h, c]) => `${c} ${h}`).join(', ')}` : ''}`];
  if (query) parts.push(`${shown} match`);
  if (position) parts.push(position);
  return parts.join(' · ');
}
