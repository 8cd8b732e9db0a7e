import * as keytar from '@napi-rs/keyring/keytar.js';
import { BrokerError } from '../core/broker-error.js';
import { exitCodes } from '../core/exit-codes.js';
import type { SecretBackend, StoredEntry } from './token-store.js';

const probeAccount = '.broker-probe';

/**
 * The OS keychain through the keytar API. On Linux that is the Secret Service (gnome-keyring):
 * a missing bus or a locked keyring makes writes fail, while reads quietly return null, so
 * `check` proves the store with entries it can read, or else with a write.
 */
export function openKeychainBackend(service: string): SecretBackend {
  const call = async <T>(what: string, op: () => Promise<T>): Promise<T> => {
    try {
      return await op();
    } catch (err) {
      throw keychainError(what, err);
    }
  };
  return {
    get: (account) => call('read', () => keytar.getPassword(service, account)),
    set: (account, value) => call('write', () => keytar.setPassword(service, account, value)),
    delete: (account) => call('delete', () => keytar.deletePassword(service, account)),
    list: () => call('list', async () => (await keytar.findCredentials(service)).map((c) => c.account).filter((a) => a !== probeAccount)),
    check: () =>
      call('write', async (): Promise<StoredEntry[]> => {
        // A locked keyring answers a search with nothing: entries coming back prove it open and readable
        // (one round trip, which also brings every entry for the health check); an empty answer is proven with a write.
        const found = (await keytar.findCredentials(service)).filter((c) => c.account !== probeAccount);
        if (found.length > 0) return found.map((c) => ({ account: c.account, text: c.password }));
        await keytar.setPassword(service, probeAccount, 'ok');
        await keytar.deletePassword(service, probeAccount);
        return [];
      }),
  };
}

function keychainError(what: string, err: unknown): BrokerError {
  const detail = (err as Error).message ?? String(err);
  const hint =
    process.platform === 'linux'
      ? 'start and unlock the keyring (e.g. `echo -n PASS | gnome-keyring-daemon --unlock --components=secrets` in a D-Bus session), or choose the encrypted file store: BROKER_STORE=file BROKER_PASSPHRASE=…'
      : 'unlock the login keychain, or choose the encrypted file store: BROKER_STORE=file BROKER_PASSPHRASE=…';
  return new BrokerError(`the OS keychain cannot ${what}: ${detail}`, exitCodes.failed, hint);
}
