// What may never reach a terminal from the event log (log lines are attacker-controlled): ESC
// (CSI, OSC 52 clipboard, OSC 0 title, DCS all start with it), the C1 controls (U+009B is an
// 8-bit CSI), bidi overrides and isolates (text that reads differently than it is), and every
// other C0 control but newline and tab (BEL ends an OSC, CR and BS overwrite what was printed).

export interface ForbiddenChar {
  /** Index in the text (UTF-16 code units). */
  at: number;
  code: number;
  name: string;
}

const forbidden = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function nameOfControl(code: number): string {
  if (code === 0x1b) return 'ESC';
  if (code === 0x07) return 'BEL';
  if (code === 0x0d) return 'CR';
  if (code === 0x08) return 'BS';
  if (code === 0x00) return 'NUL';
  if (code === 0x7f) return 'DEL';
  if (code < 0x20) return 'C0';
  if (code >= 0x80 && code <= 0x9f) return 'C1';
  return 'bidi';
}

/** Every forbidden character in text, first to last. */
export function forbiddenChars(text: string): ForbiddenChar[] {
  return [...text.matchAll(forbidden)].map((m) => {
    const code = m[0].charCodeAt(0);
    return { at: m.index, code, name: nameOfControl(code) };
  });
}

/** The line of text holding position `at`, clipped and JSON-quoted, so it can be read in a report. */
export function lineAround(text: string, at: number, width = 160): string {
  const start = text.lastIndexOf('\n', at) + 1;
  const end = text.indexOf('\n', at);
  const line = text.slice(start, end === -1 ? undefined : end);
  const offset = at - start;
  const from = Math.max(0, offset - width / 2);
  return JSON.stringify(`${from > 0 ? '…' : ''}${line.slice(from, from + width)}${from + width < line.length ? '…' : ''}`);
}
