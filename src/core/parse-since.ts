/** A --since value: every event, or those younger than a duration. */
export type Since = { all: true } | { all: false; ms: number };

const unitMs: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export const sinceHelp = '30m, 1h, 24h, 7d, 2w or all';

/** "30m", "1h", "24h", "7d", "2w", "90s" or "all" → Since; anything else → null. */
export function parseSince(text: string): Since | null {
  const value = text.trim().toLowerCase();
  if (value === 'all') return { all: true };
  const match = /^(\d{1,6})([smhdw])$/.exec(value);
  if (!match) return null;
  const amount = Number(match[1]);
  const unit = unitMs[match[2] as string];
  if (amount <= 0 || unit === undefined) return null;
  return { all: false, ms: amount * unit };
}

/** The window's start for a Since at `now`; null means from the beginning of the log. */
export function sinceStart(since: Since, now: Date): Date | null {
  return since.all ? null : new Date(now.getTime() - since.ms);
}
