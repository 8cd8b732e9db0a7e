import { readFileSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { writeFileDurably } from './durable-file.js';
import type { HomePaths } from './home.js';

// A rotated log is never written again (only renamed), so the latest time stamped in it is found
// once, by reading it whole, and kept in logs/.rotated-index.json under the file's identity
// (device, inode, size, mtime): a window that starts after it skips the file without reading it.
// An entry that does not match the file as it is now is never used.

const IndexSchema = z.object({ version: z.literal(1), files: z.record(z.string(), z.nullable(z.number())) });

export interface RotatedLogIndex {
  /** The latest time in the file, from the index when it knows this very file, else computed (and kept). */
  latestTime(stats: Stats, compute: () => Promise<number | null>): Promise<number | null>;
  /** Writes the index back when it learnt something, keeping only the files seen in this read. */
  save(): void;
}

export function openRotatedLogIndex(paths: HomePaths): RotatedLogIndex {
  const path = join(paths.logs, '.rotated-index.json');
  let known: Record<string, number | null> = {};
  try {
    known = IndexSchema.parse(JSON.parse(readFileSync(path, 'utf8'))).files;
  } catch {
    // Missing or damaged: it is only a cache, the files are read instead.
  }
  const seen: Record<string, number | null> = {};
  let learnt = false;
  return {
    async latestTime(stats, compute) {
      const key = `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}`;
      const cached = known[key];
      if (cached !== undefined) return (seen[key] = cached);
      learnt = true;
      return (seen[key] = await compute());
    },
    save() {
      if (!learnt && Object.keys(seen).length === Object.keys(known).length) return;
      try {
        writeFileDurably(path, `${JSON.stringify({ version: 1, files: seen })}\n`, 0o600);
      } catch {
        // A read-only home: the next read computes it again.
      }
    },
  };
}
