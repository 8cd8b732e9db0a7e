import { readFileSync, statSync } from 'node:fs';
import type { Agent, Connection, State } from '../../core/state-schema.js';
import { parseStateText } from '../state-store.js';

// serve answers many calls a second: it parses state.json again only when the file changed. A stat
// costs microseconds; conf replaces the file through a rename, so a new inode, size or mtime shows
// every write. The stat comes before the read, so a write in between only causes one more read.

export interface StateSnapshot {
  connections: Readonly<Record<string, Connection>>;
  /** Agents by the sha256 of their key. */
  agentsByKeyHash: ReadonlyMap<string, Agent>;
}

export interface CachedState {
  current(): StateSnapshot;
}

export function cachedState(path: string): CachedState {
  let signature = '';
  let snapshot: StateSnapshot | undefined;
  return {
    current() {
      const stat = statSync(path);
      const now = `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
      if (snapshot && now === signature) return snapshot;
      // Throws on a corrupt file: serve then answers 500 naming it, and never acts on a guess.
      snapshot = toSnapshot(parseStateText(readFileSync(path, 'utf8')));
      signature = now;
      return snapshot;
    },
  };
}

function toSnapshot(state: State): StateSnapshot {
  const agentsByKeyHash = new Map<string, Agent>();
  for (const agent of Object.values(state.agents ?? {})) agentsByKeyHash.set(agent.keyHash, agent);
  return { connections: state.connections, agentsByKeyHash };
}
