import { Box, Text, useInput } from 'ink';
import { useEffect, useMemo, useReducer, useState, type ReactElement } from 'react';
import { healthOfSeverity, toStatusReport, type StatusSnapshot } from '../../core/health-rows.js';
import { stripControl } from '../../core/strip-control.js';
import { emptyStatusHint } from '../../output/status-columns.js';
import { ConnectionDetail } from '../components/ConnectionDetail.js';
import { HealthGrid } from '../components/HealthGrid.js';
import { StoreHeader } from '../components/StoreHeader.js';
import { initialStatusState, statusKeyAction, statusReducer } from '../status-state.js';
import { theme } from '../theme.js';

export interface StatusScreenProps {
  snapshot: StatusSnapshot;
  /** Read on every tick, so relative times count down live. */
  clock: () => Date;
  /** Called once, with the exit code the piped `broker status` would give for what is on screen. */
  onDone: (exitCode: number) => void;
  /** Re-reads state and findings, so a refresh made elsewhere shows up. */
  reload?: () => Promise<StatusSnapshot>;
  tickMs?: number;
  reloadMs?: number;
}

export function StatusScreen({ snapshot, clock, onDone, reload, tickMs = 1000, reloadMs = 5000 }: StatusScreenProps): ReactElement {
  const [now, setNow] = useState(clock);
  const [current, setCurrent] = useState(snapshot);
  const [reloadProblem, setReloadProblem] = useState<string | null>(null);
  const report = useMemo(() => toStatusReport(current, now), [current, now]);
  const names = report.rows.map((r) => r.name);
  const [view, dispatch] = useReducer(statusReducer, names, initialStatusState);
  const namesKey = names.join('\n');

  useEffect(() => {
    const timer = setInterval(() => setNow(clock()), tickMs);
    return () => clearInterval(timer);
  }, [clock, tickMs]);

  useEffect(() => {
    if (!reload) return;
    let mounted = true;
    const timer = setInterval(() => {
      reload().then(
        (next) => {
          if (!mounted) return;
          setCurrent(next);
          setReloadProblem(null);
        },
        (err: unknown) => {
          if (mounted) setReloadProblem(err instanceof Error ? err.message : String(err));
        },
      );
    }, reloadMs);
    return () => {
      mounted = false;
      clearInterval(timer);
    };
  }, [reload, reloadMs]);

  useEffect(() => dispatch({ type: 'rows', names: namesKey === '' ? [] : namesKey.split('\n') }), [namesKey]);

  useInput((input, key) => {
    const action = statusKeyAction(input, key);
    if (action === 'quit') onDone(report.exitCode);
    else if (action) dispatch(action);
  });

  const detailRow = view.detailOpen ? report.rows.find((r) => r.name === view.selected) : undefined;
  return (
    <Box flexDirection="column">
      <StoreHeader title="broker status" store={report.store} />
      {reloadProblem && <Text color={theme.problem}>could not re-read the state: {stripControl(reloadProblem)}</Text>}
      <Box marginTop={1} flexDirection="column">
        {detailRow ? (
          <ConnectionDetail row={detailRow} now={now} />
        ) : report.rows.length === 0 ? (
          <Text>{emptyStatusHint}</Text>
        ) : (
          <HealthGrid rows={report.rows} selected={view.selected} />
        )}
      </Box>
      {!detailRow &&
        report.general.map((f, i) => (
          <Text key={i} color={theme.health[healthOfSeverity(f.severity)]}>
            {f.severity}: {f.id}: {stripControl(f.summary)}
          </Text>
        ))}
      <Box marginTop={1}>
        <Text color={theme.muted}>{detailRow ? 'esc/backspace back · q quit' : '↑/↓ select · enter details · q quit'}</Text>
      </Box>
    </Box>
  );
}
