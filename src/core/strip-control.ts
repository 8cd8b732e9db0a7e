// What must never reach a terminal from a log line (log lines are attacker-controlled: an API path
// can carry escape codes): C0 and C1 controls, DEL, and the bidirectional controls that make a
// terminal show text in another order than it is (U+202A–E, U+2066–9, U+200E/F, U+061C).
const bidiControls = '\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';

export const terminalUnsafe = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f${bidiControls}]`, 'g');

// JSON.stringify escapes C0 itself and leaves the rest of terminalUnsafe raw.
const leftRawByJson = new RegExp(`[\\u007f-\\u009f${bidiControls}]`, 'g');

/** Everything bound for a terminal goes through here: nothing that can move the cursor or reorder the line survives. */
export function stripControl(text: string): string {
  return text.replace(terminalUnsafe, (ch) => (ch === '\t' ? ' ' : '�'));
}

/** JSON a terminal may show, with what JSON.stringify leaves raw (C1, DEL, bidi) escaped as \uXXXX. */
export function escapeTerminalUnsafe(json: string): string {
  return json.replace(leftRawByJson, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
