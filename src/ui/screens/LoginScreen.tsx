import { Spinner } from '@inkjs/ui';
import { Box, Text, useInput } from 'ink';
import { useEffect, useReducer, useRef, type ReactElement } from 'react';
import type { LoginReporter, LoginStep } from '../../core/login-progress.js';
import { stripControl } from '../../core/strip-control.js';
import { useNow } from '../hooks/use-now.js';
import { countdown, initialLoginState, loginReducer, waitingFor } from '../login-state.js';
import { theme } from '../theme.js';

export interface LoginScreenProps {
  /** Runs the login, reporting each step; resolves with its exit code. */
  run: (report: LoginReporter, signal: AbortSignal) => Promise<number>;
  clock: () => Date;
  onDone: (exitCode: number) => void;
  tickMs?: number;
}

export function LoginScreen({ run, clock, onDone, tickMs = 1000 }: LoginScreenProps): ReactElement {
  const [state, dispatch] = useReducer(loginReducer, initialLoginState);
  const [now, readNow] = useNow(clock, tickMs);
  const abort = useRef(new AbortController());

  useEffect(() => {
    let mounted = true;
    const report: LoginReporter = (step) => {
      if (!mounted) return;
      // Read the clock with each step, so a fresh device code never shows more time than it has.
      readNow();
      dispatch({ type: 'step', step });
    };
    run(report, abort.current.signal).then(
      (exitCode) => mounted && dispatch({ type: 'finished', exitCode }),
      (err: unknown) => {
        if (!mounted) return;
        dispatch({ type: 'step', step: { kind: 'failed', message: err instanceof Error ? err.message : String(err) } });
        dispatch({ type: 'finished', exitCode: 1 });
      },
    );
    return () => {
      mounted = false;
    };
  }, [run, readNow]);

  // Leave after the last frame is drawn, so the outcome stays on screen.
  useEffect(() => {
    if (state.exitCode !== undefined) onDone(state.exitCode);
  }, [state.exitCode, onDone]);

  useInput((input, key) => {
    if (key.ctrl && input === 'c') abort.current.abort();
  });

  const waiting = waitingFor(state);
  return (
    <Box flexDirection="column">
      {state.steps.map((step, i) => (
        <StepLine key={i} step={step} now={now} />
      ))}
      {waiting && (
        <Spinner
          label={waiting === 'browser' ? 'waiting for the sign-in to come back… (Ctrl+C cancels)' : waiting === 'device' ? 'waiting for approval… (Ctrl+C cancels)' : 'talking to the provider…'}
        />
      )}
    </Box>
  );
}

function StepLine({ step, now }: { step: LoginStep; now: Date }): ReactElement {
  switch (step.kind) {
    case 'start':
      return (
        <Text>
          <Text color={theme.heading}>broker login {step.conn}</Text>
          <Text color={theme.muted}>
            {' '}
            {step.method}
            {step.scopes.length > 0 ? ` · scopes ${step.scopes.join(' ')}` : ''}
            {step.expected ? ` · must be ${step.expected}` : ''}
          </Text>
        </Text>
      );
    case 'open-url':
      return (
        <Box flexDirection="column" marginY={1}>
          <Text>{step.browserOpened ? 'Your browser should open. If it did not, open this URL:' : 'Open this URL in a browser on this machine:'}</Text>
          <Text color={theme.selected}>{step.url}</Text>
        </Box>
      );
    case 'device-code':
      return (
        <Box flexDirection="column" marginY={1}>
          <Text>
            Visit <Text color={theme.selected}>{step.verificationUri}</Text> and enter
          </Text>
          <Text bold> {step.userCode}</Text>
          <Text color={theme.muted}>code expires in {countdown(step.expiresAt, now)}</Text>
        </Box>
      );
    case 'tokens':
      return <Text color={theme.muted}>✔ tokens received</Text>;
    case 'identity':
      return step.ok ? (
        <Text color="green">✔ signed in as {stripControl(step.identity)}</Text>
      ) : (
        <Text color={theme.problem}>
          ✘ signed in as {stripControl(step.identity)}, expected {step.expected}
        </Text>
      );
    case 'stored':
      return <Text color="green">✔ stored · access token fp {step.accessTokenFp}</Text>;
    case 'failed':
      return (
        <Box flexDirection="column">
          <Text color={theme.problem}>✘ {stripControl(step.message)}</Text>
          {step.hint && <Text color={theme.muted}> fix: {stripControl(step.hint)}</Text>}
        </Box>
      );
  }
}
