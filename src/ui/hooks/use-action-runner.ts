import { useEffect, useRef, useState } from 'react';
import type { ActionRef, Finding } from '../../core/findings.js';
import { stripControl } from '../../core/strip-control.js';
import { selectedFinding, type ActionResultView, type DoctorEvent, type DoctorState } from '../doctor-state.js';
import type { KeyPress } from '../key-press.js';
import { useMounted } from './use-mounted.js';

/** What a running action may ask the person (a secret, typed without echo; null when cancelled), and when it is abandoned. */
export interface ActionPrompts {
  askSecret: (prompt: string) => Promise<string | null>;
  /** Aborted when the app quits while the action runs (Ctrl+C during a device login that nobody approves). */
  signal: AbortSignal;
}

export type RunAction = (finding: Finding, action: ActionRef, onOutput: (text: string) => void, prompts: ActionPrompts) => Promise<{ result: ActionResultView; findingsAfter: Finding[] }>;

export interface ActionRunner {
  /** What the running fix printed so far. */
  output: string[];
  /** The question a running fix waits on: its text (what was typed is never kept on screen). */
  asking: string | null;
  /**
   * Offers a key to the question a running fix waits on: typed into the hidden answer, Enter gives
   * it, Esc cancels. False when nothing is asked. It reads the question as it is now, not as the
   * last frame showed it: keys typed the instant the prompt appears are part of the answer.
   */
  answerKey(input: string, key: KeyPress): boolean;
}

const outputLinesKept = 50;

/**
 * Runs the confirmed action once per y, reporting `done` with the re-check's findings, or
 * `failed` when it threw (the findings stay as they were). It can ask for a secret meanwhile.
 */
export function useActionRunner(state: DoctorState, runAction: RunAction, report: (event: DoctorEvent) => void): ActionRunner {
  const [output, setOutput] = useState<string[]>([]);
  const [asking, setAsking] = useState<string | null>(null);
  const answer = useRef<{ typed: string; resolve: (value: string | null) => void } | null>(null);
  const running = useRef<AbortController | null>(null);
  const mounted = useMounted();
  // Quitting abandons a running action: without this a device login would keep polling (and the
  // process running) for minutes after the screen was gone.
  useEffect(
    () => () => {
      running.current?.abort();
      answer.current?.resolve(null);
    },
    [],
  );
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
    const askSecret = (prompt: string) =>
      new Promise<string | null>((resolve) => {
        answer.current = { typed: '', resolve };
        setAsking(prompt);
      });
    const controller = new AbortController();
    running.current = controller;
    runAction(finding, view.action, onOutput, { askSecret, signal: controller.signal })
      .then(
        ({ result, findingsAfter }) => mounted.current && report({ type: 'done', result, findingsAfter }),
        (err: unknown) => mounted.current && report({ type: 'failed', message: err instanceof Error ? err.message : String(err) }),
      )
      .finally(() => {
        if (running.current === controller) running.current = null;
      });
    // Runs once per confirmed action: the view object changes only when a new run starts.
  }, [view]);
  const answerKey = (input: string, key: KeyPress): boolean => {
    const pending = answer.current;
    if (!pending) return false;
    const finish = (value: string | null) => {
      answer.current = null;
      setAsking(null);
      pending.resolve(value);
    };
    if (key.return) finish(pending.typed);
    else if (key.escape || (key.ctrl && input === 'c')) finish(null);
    else if (key.backspace || key.delete) pending.typed = pending.typed.slice(0, -1);
    else if (!key.ctrl && input) pending.typed += input;
    return true;
  };
  return { output, asking, answerKey };
}
