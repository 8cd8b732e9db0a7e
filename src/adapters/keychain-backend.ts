import * as keytar from '@napi-rs/keyring/keytar.js';
import { BrokerError } from '../core/broker-error.js';
import { exitCodes } from '../core/exit-codes.js';
import type { HomeIds } from './state-store.js';
import type { SecretBackend, StoredEntry } from './token-store.js';

const probeAccount = '.broker-probe';
// Where the write probe goes while the home does not exist yet (no entry can be there).
const serviceOfNoHome = 'broker';

/**
 * The OS keychain through the keytar API. On Linux that is the Secret Service (gnome-keyring):
 * a missing bus or a locked keyring makes writes fail, while reads quietly return null, so
 * `check` proves the store with entries it can read, or else with a write. Entries are filed under
 * the service `broker:HOME_ID`; a home that does not exist yet has none, and is created by the first write.
 */
export function openKeychainBackend(ids: HomeIds): SecretBackend {
  const existingService = (): string | undefined => {
    const id = ids.existingHomeId();
    return id === undefined ? undefined : `broker:${id}`;
  };
  const entriesOf = async (service: string | undefined) => (service === undefined ? [] : (await keytar.findCredentials(service)).filter((c) => c.account !== probeAccount));
  const call = async <T>(what: string, op: () => Promise<T>): Promise<T> => {
    try {
      return await op();
    } catch (err) {
      throw keychainError(what, err);
    }
  };
  return {
    get: (account) => {
      const service = existingService();
      return service === undefined ? Promise.resolve(null) : call('read', () => keytar.getPassword(service, account));
    },
    set: (account, value) => {
      // Outside the keychain's error: a home that cannot be created says so itself.
      const service = `broker:${ids.homeId}`;
      return call('write', () => keytar.setPassword(service, account, value));
    },
    delete: (account) => {
      const service = existingService();
      return service === undefined ? Promise.resolve(false) : call('delete', () => keytar.deletePassword(service, account));
    },
    list: () => call('list', async () => (await entriesOf(existingService())).map((c) => c.account)),
    check: () =>
      call('write', async (): Promise<StoredEntry[]> => {
        // A locked keyring answers a search with nothing: entries coming back prove it open and readable
        // (one round trip, which also brings every entry for the health check); an empty answer is proven with a write.
        const service = existingService();
        const found = await entriesOf(service);
        if (found.length > 0) return found.map((c) => ({ account: c.account, text: c.password }));
        const probed = service ?? serviceOfNoHome;
        await keytar.setPassword(probed, probeAccount, 'ok');
        await keytar.deletePassword(probed, probeAccount);
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
