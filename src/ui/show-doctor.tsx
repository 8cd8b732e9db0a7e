import type { Io } from '../commands/deps.js';
import { renderScreen } from './render.js';
import { DoctorScreen, type DoctorScreenProps } from './screens/DoctorScreen.js';

// The interactive entry of `broker doctor`, loaded with a dynamic import so piped and --json runs never load Ink.
export function showDoctorScreen(props: Omit<DoctorScreenProps, 'onDone'>, io: Io): Promise<number> {
  return renderScreen((onDone) => <DoctorScreen {...props} onDone={onDone} />, io);
}
