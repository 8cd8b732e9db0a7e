import { BrokerError } from '../core/broker-error.js';
import { exitCodes } from '../core/exit-codes.js';
import type { StoreStatus } from '../core/findings.js';
import { describeSchemaIssue } from '../core/schema-issue.js';
import { connectionNameRule, isConnectionName } from '../core/state-schema.js';
import { TokenBundleSchema, holdsAccessToken, parseStoredBundle, type HeldTokenBundle, type TokenBundle } from '../core/token-bundle.js';
import { openKeychainBackend } from './keychain-backend.js';
import { openFileBackend } from './file-backend.js';
import type { HomePaths } from './home.js';
import type { HomeIds } from './state-store.js';
import { postgresAddress, postgresReason, storeKeySourceOf } from './postgres-target.js';

/** One entry as the backend holds it; text null: it is there but cannot be opened (fails authentication). */
export interface StoredEntry {
  account: string;
  text: string | null;
}

/** Where secrets live: one entry per connection, each a JSON bundle. Keytar-shaped underneath. */
export interface SecretBackend {
  get(account: string): Promise<string | null>;
  set(account: string, value: string): Promise<void>;
  delete(account: string): Promise<boolean>;
  list(): Promise<string[]>;
  /** Proves the backend usable and returns every entry; throws a BrokerError naming the fix when it cannot be used. */
  check(): Promise<StoredEntry[]>;
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
  if (wanted === 'postgres') return { backend: 'postgres', reason: postgresReason({ ...postgresAddress(env), key: storeKeySourceOf(env) }) };
  throw new BrokerError(`BROKER_STORE=${wanted} is not a token store`, exitCodes.usage, 'use BROKER_STORE=keychain (default), BROKER_STORE=file or BROKER_STORE=postgres');
}

export function openTokenStore(paths: HomePaths, ids: HomeIds, env: Readonly<Record<string, string | undefined>>): TokenStore {
  const { backend, reason } = chooseBackend(env);
  // PostgreSQL keeps bundles in its own store (postgres-store.ts), beside the connections they belong to.
  if (backend === 'postgres') throw new Error('the home token store was opened with BROKER_STORE=postgres');
  const secrets: SecretBackend =
    backend === 'keychain' ? openKeychainBackend(ids) : openFileBackend(paths, env.BROKER_PASSPHRASE);
  const named = (conn: string): string => {
    if (!isConnectionName(conn)) throw new BrokerError(`"${conn}" is not a connection name`, exitCodes.usage, `a connection name is ${connectionNameRule}`);
    return conn;
  };
  const readEntry = async (conn: string): Promise<TokenBundle | null> => {
    const text = await secrets.get(named(conn));
    if (text === null) return null;
    const parsed = parseStoredBundle(text);
    if (!parsed.ok) {
      throw new BrokerError(`the ${backend} entry for "${conn}" is damaged (${parsed.reason})`, exitCodes.loginNeeded, `log in again to replace it: broker login ${conn}`);
    }
    return parsed.bundle;
  };
  return {
    async status() {
      let entries: StoredEntry[];
      try {
        entries = await secrets.check();
      } catch (err) {
        return { backend, reason, available: false, problem: describe(err), damaged: [] };
      }
      // Readiness must not say yes while `broker token` would fail: every entry has to open and parse as a bundle.
      const damaged = entries.filter((e) => e.text === null || !parseStoredBundle(e.text).ok).map((e) => e.account);
      return { backend, reason, available: true, damaged: damaged.sort() };
    },
    async read(conn) {
      const entry = await readEntry(conn);
      return holdsAccessToken(entry) ? entry : null;
    },
    readEntry,
    async write(conn, bundle) {
      const parsed = TokenBundleSchema.safeParse(bundle);
      if (!parsed.success) throw new BrokerError(`the token bundle for "${conn}" was not stored: ${describeSchemaIssue(parsed.error)}`, exitCodes.failed);
      await secrets.set(named(conn), JSON.stringify(parsed.data));
    },
    delete: (conn) => secrets.delete(named(conn)),
  };
}

function describe(err: unknown): string {
  if (err instanceof BrokerError) return err.hint ? `${err.message}; ${err.hint}` : err.message;
  return (err as Error).message;
}
