/**
 * Log lines are attacker-controlled (an API path can carry escape codes): everything bound for a
 * terminal goes through here. Removes C0/C1 controls and DEL, keeping nothing that can move the
 * cursor, and the bidirectional controls (embeddings, overrides, isolates, LRM/RLM/ALM), which can
 * make a line read differently from what it holds (U+202E turns "gpj.exe" into "exe.jpg").
 */
export function stripControl(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (ch) => (ch === '\t' ? ' ' : '�'));
}
