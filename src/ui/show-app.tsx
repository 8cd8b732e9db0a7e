import type { Io } from '../commands/deps.js';
import { renderScreen } from './render.js';
import { App, type AppProps } from './screens/App.js';

// The interactive entry of `broker status` and `broker doctor` (each on its own view), loaded with a
// dynamic import so piped and --json runs never load Ink.
export function showApp(props: Omit<AppProps, 'onDone'>, io: Io): Promise<number> {
  return renderScreen((onDone) => <App {...props} onDone={onDone} />, io);
}

export { lazyDoctorSource } from './lazy-doctor-source.js';
