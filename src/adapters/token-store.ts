import { BrokerError } from '../core/broker-error.js';
import { exitCodes } from '../core/exit-codes.js';
import type { StoreStatus } from '../core/findings.js';
import { TokenBundleSchema, holdsAccessToken, type HeldTokenBundle, type TokenBundle } from '../core/token-bundle.js';
import { openKeychainBackend } from './keychain-backend.js';
import { openFileBackend } from './file-backend.js';
import type { HomePaths } from './home.js';

/** Where secrets live: one entry per connection, each a JSON bundle. Keytar-shaped underneath. */
export interface SecretBackend {
  get(account: string): Promise<string | null>;
  set(account: string, value: string): Promise<void>;
  delete(account: string): Promise<boolean>;
  list(): Promise<string[]>;
  /** Throws a BrokerError naming the fix when the backend cannot be used. */
  check(): Promise<void>;
}

export interface TokenStore {
  status(): Promise<StoreStatus>;
  /** The connection's tokens, or null when it has none yet (nothing stored, or only its client secret before the first login). */
  read(conn: string): Promise<HeldTokenBundle | null>;
  /** The whole entry, tokens or not: where a keychain-kept client secret is read before the first login. */
  readEntry(conn: string): Promise<TokenBundle | null>;
  write(conn: string, bundle: TokenBundle): Promise<void>;
  delete(conn: string): Promise<boolean>;
}

export function chooseBackend(env: Readonly<Record<string, string | undefined>>): { backend: StoreStatus['backend']; reason: string } {
  const wanted = env.BROKER_STORE;
  if (wanted === undefined || wanted === '' || wanted === 'keychain') {
    return { backend: 'keychain', reason: wanted ? 'BROKER_STORE=keychain' : 'default: the OS keychain' };
  }
  if (wanted === 'file') return { backend: 'file', reason: 'BROKER_STORE=file (AES-256-GCM, key from BROKER_PASSPHRASE)' };
  throw new BrokerError(`BROKER_STORE=${wanted} is not a token store`, exitCodes.usage, 'use BROKER_STORE=keychain (default) or BROKER_STORE=file');
}

export function openTokenStore(paths: HomePaths, homeId: string, env: Readonly<Record<string, string | undefined>>): TokenStore {
  const { backend, reason } = chooseBackend(env);
  const secrets: SecretBackend =
    backend === 'keychain' ? openKeychainBackend(`broker:${homeId}`) : openFileBackend(paths, env.BROKER_PASSPHRASE);
  const readEntry = async (conn: string): Promise<TokenBundle | null> => {
    const text = await secrets.get(conn);
    if (text === null) return null;
    const parsed = TokenBundleSchema.safeParse(safeJson(text));
    if (!parsed.success) {
      throw new BrokerError(`the ${backend} entry for "${conn}" is not a token bundle`, exitCodes.failed, `log in again: broker login ${conn}`);
    }
    return parsed.data;
  };
  return {
    async status() {
      try {
        await secrets.check();
        return { backend, reason, available: true };
      } catch (err) {
        return { backend, reason, available: false, problem: describe(err) };
      }
    },
    async read(conn) {
      const entry = await readEntry(conn);
      return holdsAccessToken(entry) ? entry : null;
    },
    readEntry,
    write: (conn, bundle) => secrets.set(conn, JSON.stringify(TokenBundleSchema.parse(bundle))),
    delete: (conn) => secrets.delete(conn),
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function describe(err: unknown): string {
  if (err instanceof BrokerError) return err.hint ? `${err.message}; ${err.hint}` : err.message;
  return (err as Error).message;
}
