import { useEffect, useState } from 'react';
import type { ActionRef, Finding } from '../../core/findings.js';
import { stripControl } from '../../core/strip-control.js';
import { selectedFinding, type ActionResultView, type DoctorEvent, type DoctorState } from '../doctor-state.js';
import { useMounted } from './use-mounted.js';

type RunAction = (finding: Finding, action: ActionRef, onOutput: (text: string) => void) => Promise<{ result: ActionResultView; findingsAfter: Finding[] }>;

const outputLinesKept = 50;

/**
 * Runs the confirmed action once per y, reporting `done` with the re-check's findings, or
 * `failed` when it threw (the findings stay as they were). Returns what it printed so far.
 */
export function useActionRunner(state: DoctorState, runAction: RunAction, report: (event: DoctorEvent) => void): string[] {
  const [output, setOutput] = useState<string[]>([]);
  const mounted = useMounted();
  const { view } = state;
  useEffect(() => {
    if (view.kind !== 'running') return;
    const finding = selectedFinding(state);
    if (!finding) {
      report({ type: 'failed', message: 'the finding is no longer listed' });
      return;
    }
    setOutput([]);
    const onOutput = (text: string) => {
      if (mounted.current) setOutput((lines) => [...lines, ...text.replace(/\n$/, '').split('\n').map(stripControl)].slice(-outputLinesKept));
    };
    runAction(finding, view.action, onOutput).then(
      ({ result, findingsAfter }) => mounted.current && report({ type: 'done', result, findingsAfter }),
      (err: unknown) => mounted.current && report({ type: 'failed', message: err instanceof Error ? err.message : String(err) }),
    );
    // Runs once per confirmed action: the view object changes only when a new run starts.
  }, [view]);
  return output;
}
