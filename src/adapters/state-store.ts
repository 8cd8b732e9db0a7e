import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { BrokerError } from '../core/broker-error.js';
import { exitCodes } from '../core/exit-codes.js';
import { describeSchemaIssue } from '../core/schema-issue.js';
import { StateSchema, ConnectionSchema, type Agent, type Connection, type State } from '../core/state-schema.js';
import { createFileOnce, removeLeftoverTemps, writeFileDurably } from './durable-file.js';
import { ensureHomeDirs, homeWriteError, internalLockPath, type HomePaths } from './home.js';
import { takeLockDir } from './lock-dir.js';

/** The id the home's keychain entries are filed under. */
export interface HomeIds {
  /** The id, creating the home (and so deciding the id) if it does not exist yet. */
  readonly homeId: string;
  /** The id if the home exists, without creating anything. */
  existingHomeId(): string | undefined;
}

export interface StateStore extends HomeIds {
  readonly path: string;
  list(): Connection[];
  get(name: string): Connection | undefined;
  /** Read-modify-write of one connection under the home's state lock, so processes never lose each other's updates. */
  update(name: string, change: (current: Connection) => Connection): Promise<Connection>;
  add(connection: Connection): Promise<void>;
  remove(name: string): Promise<boolean>;
  /** The agents of `broker serve` (name → agent); only their keys' hashes are kept. */
  agents(): Record<string, Agent>;
  /** Read-modify-write of the agents under the same state lock. */
  updateAgents(change: (current: Record<string, Agent>) => Record<string, Agent>): Promise<void>;
}

/**
 * Opens state.json. A home that does not exist yet is read as empty and created by the first write
 * (or the first need of its id), so `status`, `doctor` and `log` on a fresh home create nothing.
 * A corrupt file is reported (exit 2) and never overwritten.
 */
export function openStateStore(paths: HomePaths): StateStore {
  let created = false;
  const create = (): void => {
    if (created) return;
    ensureHomeDirs(paths);
    // The home id is decided once, by whichever process creates state.json first (an atomic
    // create-if-absent): every process opening a fresh home, however many at once, reads the same id
    // before it writes a secret under it.
    if (!existsSync(paths.state)) {
      try {
        createFileOnce(paths.state, serializeState({ version: 1, homeId: randomBytes(8).toString('hex'), connections: {} }), 0o600);
      } catch (err) {
        throw homeWriteError(err, `create ${paths.state}`);
      }
    }
    created = true;
  };
  // Read afresh each time: another process may have changed it since.
  const readIfThere = (): State | undefined => {
    let text: string;
    try {
      text = readFileSync(paths.state, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      // The home itself is a file: say that, not that state.json is unreadable.
      if (code === 'ENOTDIR') ensureHomeDirs(paths);
      throw corruptState(paths.state, err);
    }
    try {
      return parseStateText(text);
    } catch (err) {
      throw corruptState(paths.state, err);
    }
  };
  const read = (): State => {
    create();
    const state = readIfThere();
    if (!state) throw corruptState(paths.state, new Error('it was removed while in use'));
    return state;
  };
  const write = (next: State): void => {
    try {
      writeFileDurably(paths.state, serializeState(next), 0o600);
    } catch (err) {
      throw homeWriteError(err, `write ${paths.state}`);
    }
  };
  const lockPath = internalLockPath(paths, 'state');
  const withLock = async <T>(change: () => T): Promise<T> => {
    create();
    const release = await takeLockDir(lockPath, { what: `the state lock ${lockPath}`, retries: { retries: 200, minTimeout: 5, maxTimeout: 50 } });
    try {
      // Every writer of state.json holds this lock, so a temp file beside it is a killed writer's leftover.
      removeLeftoverTemps(paths.state);
      return change();
    } finally {
      await release();
    }
  };

  let homeId: string | undefined;
  return {
    get homeId() {
      return (homeId ??= read().homeId);
    },
    existingHomeId: () => (homeId ??= readIfThere()?.homeId),
    path: paths.state,
    list: () => Object.values(readIfThere()?.connections ?? {}).sort((a, b) => a.name.localeCompare(b.name)),
    get: (name) => readIfThere()?.connections[name],
    update: (name, change) =>
      withLock(() => {
        const state = read();
        const current = state.connections[name];
        if (!current) throw new BrokerError(`no connection named "${name}"`, exitCodes.usage, 'run `broker status` to list connections');
        const next = checkedConnection(change(current));
        if (next.name !== name) throw renamed(name, next.name);
        write({ ...state, connections: { ...state.connections, [name]: next } });
        return next;
      }),
    add: (connection) =>
      withLock(() => {
        const state = read();
        if (state.connections[connection.name]) {
          throw alreadyExists(connection.name);
        }
        write({ ...state, connections: { ...state.connections, [connection.name]: checkedConnection(connection) } });
      }),
    remove: (name) =>
      withLock(() => {
        const state = read();
        if (!state.connections[name]) return false;
        const connections = { ...state.connections };
        delete connections[name];
        write({ ...state, connections });
        return true;
      }),
    agents: () => readIfThere()?.agents ?? {},
    updateAgents: (change) =>
      withLock(() => {
        const state = read();
        write(StateSchema.parse({ ...state, agents: change(state.agents ?? {}) }));
      }),
  };
}

/** A connection about to be saved, checked against the schema as it would be read back (every store). */
export function checkedConnection(connection: Connection): Connection {
  const parsed = ConnectionSchema.safeParse(connection);
  if (!parsed.success) throw new BrokerError(`connection "${connection.name}" was not saved: ${describeSchemaIssue(parsed.error)}`, exitCodes.usage);
  return parsed.data;
}

export function renamed(from: string, to: string): BrokerError {
  return new BrokerError(`a connection cannot be renamed (${from} → ${to})`, exitCodes.usage);
}

export function alreadyExists(name: string): BrokerError {
  return new BrokerError(`a connection named "${name}" already exists`, exitCodes.usage, `run \`broker remove ${name}\` first, or pick another name`);
}

function serializeState(state: State): string {
  return `${JSON.stringify(state, null, 2)}\n`;
}

/** Pure: the text of state.json → State, or a thrown error that says what is wrong and where. */
export function parseStateText(text: string): State {
  const json: unknown = JSON.parse(text);
  const parsed = StateSchema.safeParse(json);
  if (!parsed.success) throw new Error(`schema violation at ${describeSchemaIssue(parsed.error)}`);
  return parsed.data;
}

function corruptState(path: string, err: unknown): BrokerError {
  if (err instanceof BrokerError) return err;
  const reason = (err as Error).message;
  return new BrokerError(
    `state file ${path} cannot be read: ${reason}`,
    exitCodes.usage,
    'the file was left exactly as it was; repair it by hand or move it aside (mv state.json state.json.bad) and re-create the connections',
  );
}
