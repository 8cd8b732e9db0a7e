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
 * Ink hands over what one read of the terminal held as one input: keys that arrive faster than the
 * app reads them, or a paste, come as "s3cret\r" with no Return flag (a typed secret then never
 * ended). Splits such an input into the keys it was; a key with its own flags, or an escape
 * sequence, stays whole.
 */
export function typedKeys(input: string, key: KeyPress): Array<[string, KeyPress]> {
  const chars = [...input];
  if (chars.length <= 1 || key.ctrl || key.meta || input.includes('\u001b')) return [[input, key]];
  return chars.map((ch): [string, KeyPress] => {
    if (ch === '\r' || ch === '\n') return ['', { return: true }];
    if (ch === '\u007f' || ch === '\b') return ['', { backspace: true }];
    return [ch, {}];
  });
}

/**
 * Keys that move, switch views or answer the y/N. No runbook action may use one (a test reads
 * every runbook's front matter), and the doctor never binds an action to one.
 */
export const reservedKeys = ['y', 'n', 'q', 'R', 'd', 's', 'g', 'G', '/', '?'] as const;

export function isReservedKey(key: string): boolean {
  return (reservedKeys as readonly string[]).includes(key);
}
