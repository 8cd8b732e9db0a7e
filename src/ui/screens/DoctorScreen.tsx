import { Spinner } from '@inkjs/ui';
import { Box, Text, useInput } from 'ink';
import { useEffect, useReducer, useState, type ReactElement } from 'react';
import { describeRuleFailure, type DoctorReport } from '../../core/doctor-report.js';
import { exitCodes } from '../../core/exit-codes.js';
import { isFailing, type ActionRef, type Finding } from '../../core/findings.js';
import { planRemediation } from '../../core/remediation.js';
import { stripControl } from '../../core/strip-control.js';
import { doctorKeyEvent, doctorReducer, initialDoctorState, selectedFinding, type ActionResultView } from '../doctor-state.js';
import { StoreHeader } from '../components/StoreHeader.js';
import { theme } from '../theme.js';

export interface DoctorScreenProps {
  /** Reads the log (first on mount, again on R: only what was appended), reporting progress. */
  scan: (onProgress: (bytesRead: number, bytesTotal: number) => void) => Promise<DoctorReport>;
  /** The runbook's Fix section for a finding id. */
  runbookFix: (id: string) => string | undefined;
  /** Runs the action through the remediation runner; onOutput receives what the action prints (a device code, say). */
  runAction: (finding: Finding, action: ActionRef, onOutput: (text: string) => void) => Promise<{ result: ActionResultView; findingsAfter: Finding[] }>;
  onDone: (exitCode: number) => void;
}

const severityColour = { critical: 'red', error: 'red', warning: 'yellow', info: 'blue' } as const;
const outputLinesShown = 8;

export function DoctorScreen({ scan, runbookFix, runAction, onDone }: DoctorScreenProps): ReactElement {
  const [state, dispatch] = useReducer(doctorReducer, [], initialDoctorState);
  const [output, setOutput] = useState<string[]>([]);
  const [report, setReport] = useState<DoctorReport | null>(null);
  const [progress, setProgress] = useState<{ read: number; total: number } | null>({ read: 0, total: 0 });
  const [scanProblem, setScanProblem] = useState<string | null>(null);
  const { view, findings } = state;
  const finding = selectedFinding(state);

  const rescan = () => {
    setProgress({ read: 0, total: 0 });
    scan((read, total) => setProgress({ read, total })).then(
      (next) => {
        setReport(next);
        setProgress(null);
        setScanProblem(null);
        dispatch({ type: 'loaded', findings: next.findings });
      },
      (err: unknown) => {
        setProgress(null);
        setScanProblem(err instanceof Error ? err.message : String(err));
      },
    );
  };
  useEffect(rescan, []);

  useInput((input, key) => {
    if (input === 'R' && progress === null && (view.kind === 'list' || view.kind === 'result')) return rescan();
    const event = doctorKeyEvent(state, input, key);
    if (event === 'quit') onDone(findings.some(isFailing) || scanProblem !== null ? exitCodes.failed : exitCodes.ok);
    else if (event) dispatch(event);
  });

  useEffect(() => {
    if (view.kind !== 'running' || !finding) return;
    setOutput([]);
    const onOutput = (text: string) => setOutput((lines) => [...lines, ...text.replace(/\n$/, '').split('\n').map(stripControl)].slice(-outputLinesShown));
    void runAction(finding, view.action, onOutput).then(({ result, findingsAfter }) => dispatch({ type: 'done', result, findingsAfter }));
    // Runs once per confirmed action: the view object changes only when a new run starts.
  }, [view]);

  return (
    <Box flexDirection="column">
      {report ? <StoreHeader title="broker doctor" store={report.store} /> : <Text bold color={theme.heading}>broker doctor</Text>}
      {report ? (
        <Text color={theme.muted}>
          window {report.window.since ?? 'all'} → {report.window.until} · {report.linesRead} log lines read, {report.linesSkipped} skipped
          {report.acknowledged > 0 ? ` · ${report.acknowledged} acknowledged` : ''}
        </Text>
      ) : null}
      {progress ? <Spinner label={`reading the event log… ${describeProgress(progress)}`} /> : null}
      {scanProblem ? <Text color={theme.problem}>the log could not be read: {stripControl(scanProblem)}</Text> : null}
      {report?.ruleFailures.map((f) => (
        <Text key={f.rule} color={theme.problem}>{stripControl(describeRuleFailure(f))}</Text>
      ))}
      <Box marginTop={1} flexDirection="column">
        {report && !findings.some((f) => f.state === 'active') ? <Text color="green">No active findings: every connection is healthy now.</Text> : null}
        {view.kind === 'list' ? <FindingList findings={findings} selected={state.selected} /> : null}
        {(view.kind === 'detail' || view.kind === 'confirm') && finding ? <FindingDetail finding={finding} fix={runbookFix(finding.id)} /> : null}
        {view.kind === 'confirm' && finding ? (
          <Box marginTop={1} borderStyle="round" borderColor="yellow" paddingX={1} flexDirection="column">
            <Text>[{view.action.key}] {planRemediation(finding, view.action).description}</Text>
            <Text bold>Run it? (y/N)</Text>
          </Box>
        ) : null}
        {view.kind === 'running' ? (
          <Box marginTop={1} flexDirection="column">
            <Spinner label={`running ${view.action.action}…`} />
            {output.map((line, i) => (
              <Text key={i} color={theme.muted}>  {line}</Text>
            ))}
          </Box>
        ) : null}
        {view.kind === 'result' ? <ResultView finding={finding} action={view.action} result={view.result} /> : null}
      </Box>
      <Box marginTop={1}>
        <Text color={theme.muted}>{footer(view.kind, finding)}</Text>
      </Box>
    </Box>
  );
}

function FindingList({ findings, selected }: { findings: Finding[]; selected: number }): ReactElement {
  const firstResolved = findings.findIndex((f) => f.state === 'resolved');
  return (
    <Box flexDirection="column">
      {findings.map((f, i) => (
        <Box key={i} flexDirection="column">
          {i === firstResolved ? <Text color={theme.muted}>resolved (history, not health)</Text> : null}
          <Text wrap="truncate-end" inverse={i === selected} dimColor={f.state === 'resolved'}>
            {i === selected ? '› ' : '  '}
            <Text color={f.state === 'resolved' ? theme.muted : severityColour[f.severity]} bold>{(f.state === 'resolved' ? 'resolved' : f.severity.toUpperCase()).padEnd(8)}</Text>{' '}
            <Text bold>{f.title ?? f.id}</Text> {f.conn ?? ''} · {stripControl(f.summary)}
          </Text>
        </Box>
      ))}
    </Box>
  );
}

function FindingDetail({ finding, fix }: { finding: Finding; fix: string | undefined }): ReactElement {
  return (
    <Box flexDirection="column">
      <Text>
        <Text color={severityColour[finding.severity]} bold>{finding.severity.toUpperCase()}</Text> {finding.id}
        {finding.conn ? ` (${finding.conn})` : ''}
      </Text>
      <Text>{stripControl(finding.summary)}</Text>
      {finding.evidence.length > 0 ? <Text color={theme.heading}>evidence</Text> : null}
      {finding.evidence.map((e, i) => (
        <Text key={i} wrap="truncate-end" color={theme.muted}>
          {'  '}{e.file}:{e.line}  {e.text}
        </Text>
      ))}
      <Text color={theme.heading}>fix (runbooks/{finding.id}.md)</Text>
      <Text>{(fix ?? 'no runbook found for this finding').split('\n').map(stripControl).join('\n')}</Text>
      {finding.actions.length > 0 ? <Text color={theme.heading}>actions</Text> : null}
      {finding.actions.map((a) => (
        <Text key={a.key}>
          {'  '}<Text bold>[{a.key}]</Text> {a.label}
        </Text>
      ))}
    </Box>
  );
}

function ResultView({ finding, action, result }: { finding: Finding | undefined; action: ActionRef; result: ActionResultView }): ReactElement {
  return (
    <Box marginTop={1} flexDirection="column" borderStyle="round" borderColor={result.ok && result.held ? 'green' : 'red'} paddingX={1}>
      {result.output ? <Text>{result.output}</Text> : null}
      <Text>
        {result.ok ? 'done' : 'failed'} ({action.action}): {stripControl(result.detail)}
      </Text>
      <Text bold color={result.held ? 'green' : 'red'}>re-check: {result.held ? 'the finding is gone' : 'the finding is still there'}</Text>
      {finding ? null : <Text color="green">No findings left.</Text>}
    </Box>
  );
}

function describeProgress({ read, total }: { read: number; total: number }): string {
  if (total === 0) return '';
  return `${(read / 1e6).toFixed(1)} of ${(total / 1e6).toFixed(1)} MB (${Math.min(100, Math.floor((read / total) * 100))}%)`;
}

function footer(kind: string, finding: Finding | undefined): string {
  const keys = finding && finding.actions.length > 0 ? ` · ${finding.actions.map((a) => a.key).join('/')} fix` : '';
  switch (kind) {
    case 'list':
      return `↑/↓ select · enter runbook${keys} · R read new lines · q quit`;
    case 'detail':
      return `esc back${keys} · q quit`;
    case 'confirm':
      return 'y run · n/esc cancel';
    case 'running':
      return 'the fix is running; it writes a remediation event and re-runs the diagnosis';
    default:
      return 'enter/esc back to the list · q quit';
  }
}
