import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as z from 'zod/mini';
import { BrokerError } from '../core/broker-error.js';
import { exitCodes } from '../core/exit-codes.js';
import { describeSchemaIssue } from '../core/schema-issue.js';
import { removeLeftoverTemps, writeFileDurably } from './durable-file.js';
import { ensureHomeDirs, homeWriteError, internalLockPath, type HomePaths } from './home.js';
import { takeLockDir } from './lock-dir.js';
import { keyFromPassphrase, open as openSealed, seal as sealText } from './sealed-text.js';
import type { SecretBackend, StoredEntry } from './token-store.js';

const SealedSchema = z.object({ iv: z.string(), tag: z.string(), data: z.string() });
type Sealed = z.infer<typeof SealedSchema>;
const SecretsFileSchema = z.object({
  version: z.literal(1),
  salt: z.string(),
  // A sealed known value: a wrong passphrase is told apart from a damaged entry.
  check: SealedSchema,
  entries: z.record(z.string(), SealedSchema),
});
type SecretsFile = z.infer<typeof SecretsFileSchema>;

const checkText = 'broker-secrets-v1';

/** AES-256-GCM entries in $BROKER_HOME/secrets.enc, key derived with scrypt from BROKER_PASSPHRASE. */
export function openFileBackend(paths: HomePaths, passphrase: string | undefined): SecretBackend {
  const file = paths.secretsFile;
  let cached: { salt: string; key: Buffer } | undefined;
  const keyFor = (salt: string): Buffer => {
    if (!passphrase) {
      throw new BrokerError('the file token store needs BROKER_PASSPHRASE', exitCodes.usage, 'export BROKER_PASSPHRASE=… (the passphrase the store was created with)');
    }
    if (cached?.salt !== salt) cached = { salt, key: keyFromPassphrase(passphrase, Buffer.from(salt, 'base64')) };
    return cached.key;
  };
  const damaged = (reason: string) =>
    new BrokerError(`the encrypted token store ${file} is damaged: ${reason}`, exitCodes.usage, 'it was left as it was; restore it from a backup, or move it aside and log in again to every connection');
  const load = (): SecretsFile | null => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw homeWriteError(err, `read ${file}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw damaged(text.trim() === '' ? 'the file is empty' : 'not JSON');
    }
    const parsed = SecretsFileSchema.safeParse(json);
    if (!parsed.success) throw damaged(describeSchemaIssue(parsed.error));
    if (open(keyFor(parsed.data.salt), parsed.data.check) !== checkText) {
      throw new BrokerError(`BROKER_PASSPHRASE does not open ${file}`, exitCodes.usage, 'use the passphrase the store was created with');
    }
    return parsed.data;
  };
  const loadOrCreate = (): SecretsFile => {
    const existing = load();
    if (existing) return existing;
    const salt = randomBytes(16).toString('base64');
    return { version: 1, salt, check: seal(keyFor(salt), checkText), entries: {} };
  };
  const save = (contents: SecretsFile): void => {
    try {
      writeFileDurably(file, `${JSON.stringify(contents)}\n`, 0o600);
    } catch (err) {
      throw homeWriteError(err, `write ${file}`);
    }
  };
  const lockPath = internalLockPath(paths, 'secrets');
  const withLock = async <T>(change: () => T): Promise<T> => {
    // The first write into a home that does not exist yet creates it.
    ensureHomeDirs(paths);
    const release = await takeLockDir(lockPath, { what: `the token store lock ${lockPath}`, retries: { retries: 200, minTimeout: 5, maxTimeout: 50 } });
    try {
      const result = change();
      // Every writer of secrets.enc holds this lock, so a temp file beside it is a killed writer's
      // leftover; swept after the write, which a refresh waits on with a rotated token in hand.
      removeLeftoverTemps(file);
      return result;
    } finally {
      await release();
    }
  };

  return {
    async get(account) {
      const contents = load();
      const entry = contents?.entries[account];
      if (!entry || !contents) return null;
      const text = open(keyFor(contents.salt), entry);
      if (text === null) throw new BrokerError(`the entry for "${account}" in ${file} fails authentication`, exitCodes.loginNeeded, `it was tampered with or damaged; log in again: broker login ${account}`);
      return text;
    },
    set: (account, value) =>
      withLock(() => {
        const contents = loadOrCreate();
        contents.entries[account] = seal(keyFor(contents.salt), value);
        save(contents);
      }),
    delete: (account) =>
      withLock(() => {
        const contents = load();
        if (!contents?.entries[account]) return false;
        delete contents.entries[account];
        save(contents);
        return true;
      }),
    list: async () => Object.keys(load()?.entries ?? {}),
    check: async (): Promise<StoredEntry[]> => {
      const contents = load();
      if (contents === null) {
        keyFor('');
        return [];
      }
      const key = keyFor(contents.salt);
      return Object.entries(contents.entries).map(([account, sealed]) => ({ account, text: open(key, sealed) }));
    },
  };
}

// The file keeps each sealed entry as base64 fields in JSON.
function seal(key: Buffer, text: string): Sealed {
  const sealed = sealText(key, text);
  return { iv: sealed.iv.toString('base64'), tag: sealed.tag.toString('base64'), data: sealed.data.toString('base64') };
}

/** Returns null when the key is wrong or the entry was tampered with (GCM authentication fails). */
function open(key: Buffer, sealed: Sealed): string | null {
  return openSealed(key, { iv: Buffer.from(sealed.iv, 'base64'), tag: Buffer.from(sealed.tag, 'base64'), data: Buffer.from(sealed.data, 'base64') });
}
