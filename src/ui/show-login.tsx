import type { Io } from '../commands/deps.js';
import type { LoginReporter } from '../core/login-progress.js';
import { renderScreen } from './render.js';
import { LoginScreen } from './screens/LoginScreen.js';

// The interactive entry of `broker login`, loaded with a dynamic import so piped runs never load Ink.
export function showLoginScreen(run: (report: LoginReporter, signal: AbortSignal) => Promise<number>, io: Io, clock: () => Date): Promise<number> {
  return renderScreen((onDone) => <LoginScreen run={run} clock={clock} onDone={onDone} />, io);
}
