/**
 * Log lines are attacker-controlled (an API path can carry escape codes): everything bound for a
 * terminal goes through here. Removes C0/C1 controls and DEL, keeping nothing that can move the cursor.
 */
export function stripControl(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (ch) => (ch === '\t' ? ' ' : '�'));
}
