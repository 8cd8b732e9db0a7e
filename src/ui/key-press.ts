/** The subset of Ink's Key the screens read (a plain type, so the key mappings are tested without Ink). */
export interface KeyPress {
  upArrow?: boolean;
  downArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
  return?: boolean;
  escape?: boolean;
  backspace?: boolean;
  delete?: boolean;
  ctrl?: boolean;
  meta?: boolean;
}

/**
 * Keys that move, switch views or answer the y/N. No runbook action may use one (a test reads
 * every runbook's front matter), and the doctor never binds an action to one.
 */
export const reservedKeys = ['y', 'n', 'q', 'R', 'd', 's', 'g', 'G', '/', '?'] as const;

export function isReservedKey(key: string): boolean {
  return (reservedKeys as readonly string[]).includes(key);
}
