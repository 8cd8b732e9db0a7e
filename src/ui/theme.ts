import { healthColour } from '../core/health-rows.js';

// Colours in one place. Health colours are decided with the rows (core/health-rows.ts); the rest is chrome.
export const theme = {
  health: healthColour,
  selected: 'cyan',
  heading: 'blueBright',
  muted: 'gray',
  problem: 'red',
} as const;
