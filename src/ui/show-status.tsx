import type { Io } from '../commands/deps.js';
import type { StatusSnapshot } from '../core/health-rows.js';
import { renderScreen } from './render.js';
import { StatusScreen } from './screens/StatusScreen.js';

// The interactive entry of `broker status`, loaded with a dynamic import so piped and --json runs never load Ink.
export function showStatusScreen(props: { snapshot: StatusSnapshot; clock: () => Date; reload: () => Promise<StatusSnapshot> }, io: Io): Promise<number> {
  return renderScreen((onDone) => <StatusScreen {...props} onDone={onDone} />, io);
}
