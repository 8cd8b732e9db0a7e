import type { Rule } from '../findings.js';
import { accessExpired } from './access-expired.js';
import { clientSecretRotated } from './client-secret-rotated.js';
import { clockSkew } from './clock-skew.js';
import { errorSpike } from './error-spike.js';
import { idleExpirySoon } from './idle-expiry-soon.js';
import { idleRevoked } from './idle-revoked.js';
import { insufficientScope } from './insufficient-scope.js';
import { keychainUnavailable } from './keychain-unavailable.js';
import { newDestination } from './new-destination.js';
import { personalInCi } from './personal-in-ci.js';
import { providerUnreachable } from './provider-unreachable.js';
import { proxyConflict } from './proxy-conflict.js';
import { rateLimited } from './rate-limited.js';
import { refreshRace } from './refresh-race.js';
import { refreshTokenRevoked } from './refresh-token-revoked.js';
import { staleToken } from './stale-token.js';
import { storeUnavailable } from './store-unavailable.js';
import { tokenStoreDamaged } from './token-store-damaged.js';
import { wrongAccount } from './wrong-account.js';
import { wrongInstallation } from './wrong-installation.js';

// Every diagnosis, one file each (docs/design.md §4). A rule file that is not listed here fails
// test/core/rules/registry.test.ts.
export const rules: Rule[] = [
  refreshRace,
  refreshTokenRevoked,
  idleRevoked,
  idleExpirySoon,
  clientSecretRotated,
  wrongInstallation,
  wrongAccount,
  insufficientScope,
  personalInCi,
  proxyConflict,
  newDestination,
  errorSpike,
  staleToken,
  accessExpired,
  clockSkew,
  providerUnreachable,
  rateLimited,
  keychainUnavailable,
  storeUnavailable,
  tokenStoreDamaged,
];
