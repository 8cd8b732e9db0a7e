import { readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Agent, Connection, State } from '../../core/state-schema.js';
import { parseStateText } from '../state-store.js';
import type { Store } from '../store.js';

// serve answers thousands of calls a second: it parses state.json again only when the file changed.
// The home is watched (inotify), so a write is noticed without a system call per request — on these
// machines a stat per call cost a tenth of a millisecond. Where watching is not possible, or in case
// an event is missed, the file is also stat-ed at least every `recheckMs`. Every writer replaces the file
// through a rename, so a new inode, size or mtime shows every write; the stat comes before the read,
// so a write in between only causes one more read.

export interface StateSnapshot {
  connections: Readonly<Record<string, Connection>>;
  /** Agents by the sha256 of their key. */
  agentsByKeyHash: ReadonlyMap<string, Agent>;
}

export interface CachedState {
  current(): StateSnapshot;
  close(): void;
}

export function cachedState(path: string, options: { recheckMs?: number } = {}): CachedState {
  const recheckMs = options.recheckMs ?? 1_000;
  let signature = '';
  let snapshot: StateSnapshot | undefined;
  let checkedAt = 0;
  let watcher: FSWatcher | undefined;
  let changed = true;
  try {
    const name = basename(path);
    watcher = watch(dirname(path), { persistent: false }, (_type, file) => {
      if (file === null || file === name) changed = true;
    });
    // A watcher that fails later (the home removed) falls back to stat-ing every call.
    watcher.on('error', () => {
      watcher = undefined;
    });
  } catch {
    watcher = undefined;
  }
  return {
    current() {
      const now = Date.now();
      if (snapshot && watcher && !changed && now - checkedAt < recheckMs) return snapshot;
      changed = false;
      checkedAt = now;
      const stat = statSync(path);
      const seen = `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
      if (snapshot && seen === signature) return snapshot;
      // Throws on a corrupt file: serve then answers 500 naming it, and never acts on a guess.
      snapshot = toSnapshot(parseStateText(readFileSync(path, 'utf8')));
      signature = seen;
      return snapshot;
    },
    close() {
      watcher?.close();
    },
  };
}

function toSnapshot(state: State): StateSnapshot {
  const agentsByKeyHash = new Map<string, Agent>();
  for (const agent of Object.values(state.agents ?? {})) agentsByKeyHash.set(agent.keyHash, agent);
  return { connections: state.connections, agentsByKeyHash };
}

/**
 * The same snapshot from a store that is not a file (PostgreSQL, §14): the connections and agents
 * serve read last, made again after each reload. Reloads run in the background at most every
 * `recheckMs`, so no call waits for the database; while it cannot be reached, the last snapshot is
 * kept (and the token keeper goes on handing out tokens it holds that are still valid).
 */
export function storeState(store: Store, options: { recheckMs?: number } = {}): CachedState {
  const recheckMs = options.recheckMs ?? 1_000;
  const build = (): StateSnapshot => {
    const state = store.state();
    return toSnapshot({ version: 1, homeId: state.homeId, connections: Object.fromEntries(state.list().map((c) => [c.name, c])), agents: state.agents() });
  };
  let snapshot = build();
  let loadedAt = Date.now();
  let reloading = false;
  let closed = false;
  return {
    current() {
      if (!reloading && !closed && Date.now() - loadedAt >= recheckMs) {
        reloading = true;
        void store
          .load()
          .then(() => {
            snapshot = build();
          })
          .catch(() => undefined)
          .finally(() => {
            loadedAt = Date.now();
            reloading = false;
          });
      }
      return snapshot;
    },
    close() {
      closed = true;
    },
  };
}
