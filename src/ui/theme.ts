import { healthColour } from '../core/health-rows.js';
import type { Severity } from '../core/findings.js';
import type { SpanStyle } from '../output/styled-lines.js';

// Colours in one place. Health colours are decided with the rows (core/health-rows.ts); the rest is chrome.

export interface TextLook {
  color?: string;
  bold?: boolean;
  italic?: boolean;
  dimColor?: boolean;
}

const severity: Record<Severity, string> = { critical: 'red', error: 'red', warning: 'yellow', info: 'blue' };

export const theme = {
  health: healthColour,
  severity,
  selected: 'cyan',
  heading: 'blueBright',
  muted: 'gray',
  problem: 'red',
  good: 'green',
  ask: 'yellow',
  /** How each style of laid-out text (runbooks, details) looks. */
  span: {
    text: {},
    strong: { bold: true },
    em: { italic: true },
    code: { color: 'cyan' },
    codeBlock: { color: 'cyan' },
    heading: { color: 'blueBright', bold: true },
    marker: { color: 'blueBright' },
    muted: { color: 'gray' },
    ok: { color: 'green', bold: true },
    critical: { color: severity.critical, bold: true },
    error: { color: severity.error, bold: true },
    warning: { color: severity.warning, bold: true },
    info: { color: severity.info, bold: true },
  } satisfies Record<SpanStyle, TextLook>,
} as const;
