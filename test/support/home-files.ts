import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// Reading what a broker child left in its home, as the person on call would: the log, state.json, the keychain.

export function readEvents(home: string): Record<string, unknown>[] {
  return readFileSync(join(home, 'logs', 'events.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The connection's keychain entry read with secret-tool (not through the broker), or null when there is none. */
export function keychainEntry(home: string, conn: string): string | null {
  const homeId = (JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')) as { homeId: string }).homeId;
  try {
    return execFileSync('secret-tool', ['lookup', 'service', `broker:${homeId}`, 'username', conn], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch {
    return null;
  }
}

export function fileSha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}
