import { Spinner } from '@inkjs/ui';
import { Box, Text } from 'ink';
import { useMemo, type MutableRefObject, type ReactElement } from 'react';
import { describeRuleFailure, type DoctorReport } from '../../core/doctor-report.js';
import type { Finding } from '../../core/findings.js';
import { planRemediation, recheckVerdict } from '../../core/remediation.js';
import type { Runbook } from '../../core/runbook.js';
import { stripControl } from '../../core/strip-control.js';
import { countBySeverity } from '../../output/doctor-text.js';
import { wrapText, type StyledLine } from '../../output/styled-lines.js';
import type { Geometry } from '../app-state.js';
import { bodyHeight, Frame } from '../components/Frame.js';
import { FindingList, findingListLines } from '../components/FindingList.js';
import { HelpOverlay } from '../components/HelpOverlay.js';
import { headerLines } from '../components/HeaderLines.js';
import { StyledText } from '../components/StyledText.js';
import { selectedFinding, visibleFindings, type DoctorState } from '../doctor-state.js';
import { findingDetailLines, findingTitleLine } from '../finding-detail-lines.js';
import { footerText, type HelpEntry } from '../help-keys.js';
import type { ScanProgress } from '../hooks/use-doctor-scan.js';
import type { TerminalSize } from '../hooks/use-terminal-size.js';
import { useVisibleRange } from '../hooks/use-visible-range.js';
import type { RunAction } from '../hooks/use-action-runner.js';
import { theme } from '../theme.js';
import { describeRange } from '../viewport.js';

/** What `broker doctor` hands the app: how to read the log, the runbooks, and how to run a fix. */
export interface DoctorSource {
  /** Reads the log (when the view opens, again on R: only what was appended), reporting progress. */
  scan: (onProgress: (bytesRead: number, bytesTotal: number, linesRead: number) => void) => Promise<DoctorReport>;
  /** The whole runbook of a finding id, or undefined when there is none. */
  runbook: (id: string) => Runbook | undefined;
  /** Runs the action through the remediation runner; onOutput receives what the action prints (a device code, say). */
  runAction: RunAction;
}

export interface ScanView {
  report: DoctorReport | null;
  progress: ScanProgress | null;
  problem: string | null;
}

export interface DoctorScreenProps {
  state: DoctorState;
  scan: ScanView;
  /** What the running fix printed so far. */
  output: string[];
  /** The question a running fix waits on (a secret, typed without echo), or null. */
  asking: string | null;
  runbook: DoctorSource['runbook'];
  /** The keys of this view: the footer's hints, and the overlay's list when `helpOpen`. */
  keys: HelpEntry[];
  helpOpen: boolean;
  size: TerminalSize;
  /** Set on every render: the page size and detail length the key handler moves by. */
  geometry: MutableRefObject<Geometry>;
  /** Lines under the title, always shown (the demo's hints). */
  notice?: string[];
}

const maxRuleFailureLines = 2;
const outputLinesShown = 8;

/** The doctor view: findings (active, then resolved), or one finding's whole detail; the y/N, a running fix or its result above. */
export function DoctorScreen({ state, scan, output, asking, runbook, keys, helpOpen, size, geometry, notice = [] }: DoctorScreenProps): ReactElement {
  const { report, progress, problem } = scan;
  const width = size.columns;
  const visible = visibleFindings(state);
  const finding = selectedFinding(state);
  const inDetail = state.view.kind === 'detail' || ((state.view.kind === 'confirm' || state.view.kind === 'running') && state.view.from === 'detail');

  const top: ReactElement[] = headerLines('broker doctor', report?.store, notice);
  if (report) top.push(<Text key="window" color={theme.muted} wrap="truncate-end">{describeWindow(report)}</Text>);
  if (progress) {
    top.push(
      <Box key="progress" height={1} overflow="hidden">
        <Spinner label={`reading the event log… ${describeProgress(progress)}`} />
      </Box>,
    );
  }
  if (problem) top.push(<Text key="problem" color={theme.problem} wrap="truncate-end">the log could not be read: {stripControl(problem)}</Text>);
  const failures = report?.ruleFailures ?? [];
  for (const f of failures.slice(0, maxRuleFailureLines)) top.push(<Text key={`rule-${f.rule}`} color={theme.problem} wrap="truncate-end">{stripControl(describeRuleFailure(f))}</Text>);
  if (failures.length > maxRuleFailureLines) top.push(<Text key="rules-more" color={theme.problem}>… {failures.length - maxRuleFailureLines} more rules failed (broker doctor --json lists them)</Text>);

  const bottom: ReactElement[] = [];
  if (state.filter.editing || state.filter.query) {
    bottom.push(
      <Text key="filter" wrap="truncate-end">
        <Text color={theme.selected}>/{stripControl(state.filter.query)}</Text>
        {state.filter.editing ? <Text inverse> </Text> : <Text color={theme.muted}>  (Esc clears)</Text>}
      </Text>,
    );
  }
  bottom.push(<Text key="footer" color={theme.muted} wrap="truncate-end">{footerText(keys, width)}</Text>);

  const banner = helpOpen ? null : actionBanner(state, finding, output, asking, size);
  // One line more for the list's header or the detail's title, above the body.
  const height = bodyHeight(size.rows - 1, top.length + 1, banner?.lines ?? 0, bottom.length);
  // Laid out once per finding and width, not on every tick of the clock.
  const shownFinding = inDetail ? finding : undefined;
  const detail = useMemo(() => (shownFinding ? findingDetailLines(shownFinding, runbook(shownFinding.id), width) : []), [shownFinding, runbook, width]);
  const listLines = findingListLines(visible);
  const cursorLine = listLines.findIndex((l) => l.kind === 'finding' && finding !== undefined && l.finding === finding);
  const listRange = useVisibleRange(Math.max(0, cursorLine), height, listLines.length);
  const detailTop = Math.min(state.detailTop, Math.max(0, detail.length - height));
  const detailRange = { start: detailTop, end: Math.min(detail.length, detailTop + height) };
  geometry.current = { page: height, detailLines: detail.length };

  if (inDetail && finding) {
    const position = describeRange(detailRange, detail.length);
    top.push(<StyledText key="head" line={[...findingTitleLine(finding), ...(position ? [{ text: `  ${position}`, style: 'muted' as const }] : [])]} />);
  } else {
    top.push(<StyledText key="head" line={listHeader(state, report, visible, describeRange(listRange, listLines.length))} />);
  }

  return (
    <Frame width={width} height={size.rows - 1} top={top} banner={banner} bottom={bottom}>
      {(rows) =>
        helpOpen ? (
          <HelpOverlay title={inDetail ? 'a finding and its runbook' : 'findings'} entries={keys} height={rows} />
        ) : inDetail && finding ? (
          <Box flexDirection="column">
            {detail.slice(detailRange.start, detailRange.end).map((line, i) => (
              <StyledText key={i} line={line} />
            ))}
          </Box>
        ) : visible.length === 0 && state.filter.query ? (
          <Text color={theme.muted} wrap="truncate-end">nothing matches /{stripControl(state.filter.query)} (Esc clears the filter)</Text>
        ) : (
          <FindingList lines={listLines} selected={state.selected} range={listRange} until={report?.window.until} />
        )
      }
    </Frame>
  );
}

/** "3 active: 1 critical, 2 error · 2 resolved · 1–18 of 60", or that all is healthy, for one connection or all. */
function listHeader(state: DoctorState, report: DoctorReport | null, visible: Finding[], position: string): StyledLine {
  if (!report) return [{ text: ' ', style: 'text' }];
  const scope = state.findings.filter((f) => state.conn === null || f.conn === state.conn);
  const active = scope.filter((f) => f.state === 'active');
  const resolved = scope.length - active.length;
  const who = state.conn ? `${stripControl(state.conn)}: ` : '';
  const parts: StyledLine = [];
  if (active.length === 0) {
    parts.push({ text: `${who}No active findings: ${state.conn ? 'the connection is' : 'every connection is'} healthy now.`, style: 'strong' });
  } else {
    parts.push({ text: `${who}${active.length} active`, style: 'strong' }, { text: `: ${countBySeverity(active)}`, style: 'text' });
  }
  if (resolved > 0) parts.push({ text: ` · ${resolved} resolved`, style: 'muted' });
  if (state.filter.query) parts.push({ text: ` · ${visible.length} match`, style: 'muted' });
  if (state.conn) parts.push({ text: ' · d: all connections', style: 'muted' });
  if (position) parts.push({ text: ` · ${position}`, style: 'muted' });
  return parts;
}

function describeWindow(report: DoctorReport): string {
  const since = report.window.since ? utcMinute(report.window.since) : 'the start of the log';
  const acknowledged = report.acknowledged > 0 ? ` · ${report.acknowledged} acknowledged` : '';
  return `window ${since} → ${utcMinute(report.window.until)} · ${report.linesRead} log lines read, ${report.linesSkipped} skipped${acknowledged}`;
}

function utcMinute(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

function describeProgress({ read, total, lines }: ScanProgress): string {
  if (total === 0) return '';
  return `${(read / 1e6).toFixed(1)} of ${(total / 1e6).toFixed(1)} MB (${Math.min(100, Math.floor((read / total) * 100))}%), ${lines.toLocaleString('en-US')} lines`;
}

/** The y/N, the running fix with its output, or what the last fix did; with the lines it takes (border included). */
function actionBanner(state: DoctorState, finding: Finding | undefined, output: string[], asking: string | null, size: TerminalSize): { lines: number; element: ReactElement } | null {
  const inner = Math.max(10, size.columns - 4);
  // The list or the runbook keeps at least half the screen.
  const maxLines = Math.max(3, Math.floor(size.rows / 2) - 2);
  const { view, outcome } = state;
  const box = (colour: string, lines: StyledLine[], spinner?: string) => ({
    lines: lines.length + (spinner ? 1 : 0) + 2,
    element: (
      <Box borderStyle="round" borderColor={colour} paddingX={1} flexDirection="column" flexShrink={0}>
        {spinner ? (
          <Box height={1} overflow="hidden">
            <Spinner label={spinner} />
          </Box>
        ) : null}
        {lines.map((line, i) => (
          <StyledText key={i} line={line} />
        ))}
      </Box>
    ),
  });
  if (view.kind === 'confirm' && finding) {
    return box(theme.ask, [...wrapText(stripControl(`[${view.action.key}] ${planRemediation(finding, view.action).description}`), inner), [{ text: 'Run it? (y/N)', style: 'strong' }]]);
  }
  if (view.kind === 'running') {
    // The output is stripped as it arrives (use-action-runner); cut, not wrapped, so the box keeps its
    // height, except a line with an address (a browser login's URL), which is no use cut.
    const printed: StyledLine[] = output
      .slice(-outputLinesShown)
      .flatMap((line): StyledLine[] => (/https?:\/\//.test(line) ? wrapText(`  ${line}`, inner, 'muted') : [[{ text: `  ${line}`, style: 'muted' }]]));
    if (asking !== null) printed.push(...wrapText(stripControl(asking), inner, 'strong'), [{ text: '  (hidden as you type) · Enter gives it · Esc cancels', style: 'muted' }]);
    return box(theme.ask, printed, `running ${view.action.action}…`);
  }
  if (!outcome) return null;
  const { result, action } = outcome;
  const lines: StyledLine[] = [];
  // A show-only action's text (a corrected environment) is there to be copied: wrapped, not cut, up to what fits.
  const printed = (result.output ?? '').replace(/\n+$/, '');
  if (printed !== '') for (const line of printed.split('\n')) lines.push(...wrapText(stripControl(line), inner));
  if (lines.length > maxLines) lines.splice(maxLines - 1, lines.length, [{ text: `… ${lines.length - maxLines + 1} more lines: broker doctor --fix ${outcome.finding.id} prints them all`, style: 'muted' }]);
  lines.push(...wrapText(`${result.ok ? 'done' : 'failed'} (${action.action}): ${stripControl(result.detail)}`, inner, result.ok ? 'text' : 'error'));
  lines.push(
    outcome.crashed
      ? [{ text: 'the fix stopped before its re-check: the finding is still listed (see its runbook)', style: 'error' }]
      : [{ text: `re-check: ${recheckVerdict(result)}`, style: result.held ? 'ok' : result.showOnly ? 'text' : 'error' }],
  );
  if (state.findings.every((f) => f.state !== 'active')) lines.push([{ text: 'No findings left.', style: 'ok' }]);
  return box(result.ok && (result.held || result.showOnly) ? theme.good : theme.problem, lines);
}
