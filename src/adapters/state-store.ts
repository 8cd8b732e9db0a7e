import Conf from 'conf';
import { randomBytes } from 'node:crypto';
import { existsSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { BrokerError } from '../core/broker-error.js';
import { exitCodes } from '../core/exit-codes.js';
import { StateSchema, ConnectionSchema, type Agent, type Connection, type State } from '../core/state-schema.js';
import { ensureHomeDirs, type HomePaths } from './home.js';

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
  const existed = existsSync(paths.state);
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
      serialize: (value) => `${JSON.stringify(value, null, 2)}\n`,
      deserialize: parseStateText,
      defaults: existed ? undefined : { version: 1, homeId: randomBytes(8).toString('hex'), connections: {} },
    });
  } catch (err) {
    throw corruptState(paths.state, err);
  }
  if (!existed) chmodSync(paths.state, 0o600);

  const read = (): State => {
    try {
      return conf.store;
    } catch (err) {
      throw corruptState(paths.state, err);
    }
  };
  const lockOptions = {
    lockfilePath: join(paths.locks, 'state.lock'),
    realpath: false,
    stale: 10_000,
    retries: { retries: 200, minTimeout: 5, maxTimeout: 50 },
  };
  const withLock = async <T>(change: () => T): Promise<T> => {
    const release = await lockfile.lock(paths.state, lockOptions);
    try {
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
        const next = ConnectionSchema.parse(change(current));
        conf.store = { ...state, connections: { ...state.connections, [name]: next } };
        return next;
      }),
    add: (connection) =>
      withLock(() => {
        const state = read();
        if (state.connections[connection.name]) {
          throw new BrokerError(`a connection named "${connection.name}" already exists`, exitCodes.usage, `run \`broker remove ${connection.name}\` first, or pick another name`);
        }
        conf.store = { ...state, connections: { ...state.connections, [connection.name]: ConnectionSchema.parse(connection) } };
      }),
    remove: (name) =>
      withLock(() => {
        const state = read();
        if (!state.connections[name]) return false;
        const connections = { ...state.connections };
        delete connections[name];
        conf.store = { ...state, connections };
        return true;
      }),
    agents: () => read().agents ?? {},
    updateAgents: (change) =>
      withLock(() => {
        const state = read();
        conf.store = StateSchema.parse({ ...state, agents: change(state.agents ?? {}) });
      }),
  };
}

/** Pure: the text of state.json → State, or a thrown error that says what is wrong and where. */
export function parseStateText(text: string): State {
  const json: unknown = JSON.parse(text);
  const parsed = StateSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`schema violation at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
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
