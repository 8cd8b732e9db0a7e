/** events.jsonl → events.N.jsonl: the name of the Nth rotated file (1 is the newest). */
export function rotatedLogPath(livePath: string, n: number): string {
  return livePath.replace(/\.jsonl$/, `.${n}.jsonl`);
}
