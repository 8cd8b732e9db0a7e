import Conf from 'conf';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { BrokerError } from '../core/broker-error.js';
import { exitCodes } from '../core/exit-codes.js';
import { describeSchemaIssue } from '../core/schema-issue.js';
import { StateSchema, ConnectionSchema, type Agent, type Connection, type State } from '../core/state-schema.js';
import { createFileOnce, fsyncDir, removeLeftoverTemps } from './durable-file.js';
import { ensureHomeDirs, homeWriteError, internalLockPath, type HomePaths } from './home.js';
import { takeLockDir } from './lock-dir.js';

export interface StateStore {
  readonly homeId: string;
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

/** Opens state.json. A corrupt file is reported (exit 2) and never overwritten. */
export function openStateStore(paths: HomePaths): StateStore {
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
  let conf: Conf<State>;
  try {
    conf = new Conf<State>({
      cwd: paths.root,
      configName: 'state',
      projectName: 'broker',
      configFileMode: 0o600,
      clearInvalidConfig: false,
      accessPropertiesByDotNotation: false,
      watch: false,
      serialize: serializeState,
      deserialize: parseStateText,
    });
  } catch (err) {
    throw corruptState(paths.state, err);
  }

  const read = (): State => {
    try {
      return conf.store;
    } catch (err) {
      throw corruptState(paths.state, err);
    }
  };
  const write = (next: State): void => {
    try {
      // conf writes a temp file, fsyncs it and renames it over state.json; the folder's fsync makes the rename durable.
      conf.store = next;
      fsyncDir(paths.root);
    } catch (err) {
      throw homeWriteError(err, `write ${paths.state}`);
    }
  };
  const lockPath = internalLockPath(paths, 'state');
  const withLock = async <T>(change: () => T): Promise<T> => {
    const release = await takeLockDir(lockPath, { what: `the state lock ${lockPath}`, retries: { retries: 200, minTimeout: 5, maxTimeout: 50 } });
    try {
      // Every writer of state.json holds this lock, so a temp file beside it is a killed writer's leftover.
      removeLeftoverTemps(paths.state);
      return change();
    } finally {
      await release();
    }
  };

  const homeId = read().homeId;
  return {
    homeId,
    path: paths.state,
    list: () => Object.values(read().connections).sort((a, b) => a.name.localeCompare(b.name)),
    get: (name) => read().connections[name],
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
    agents: () => read().agents ?? {},
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
