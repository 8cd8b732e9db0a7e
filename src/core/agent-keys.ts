import { createHash } from 'node:crypto';
import type { Agent } from './state-schema.js';

// Agent keys of `broker serve` (docs/design.md §13): `brk_` + 32 random bytes, shown once; state keeps sha256.
// A key this long needs no slow hash: nobody guesses 256 random bits, so sha256 cannot be brute-forced.

export const agentKeyPrefix = 'brk_';

/** A new key from 32 random bytes (the caller brings the randomness: core holds no entropy source). */
export function agentKeyFrom(random: Uint8Array): string {
  if (random.length < 32) throw new Error('an agent key needs 32 random bytes');
  return `${agentKeyPrefix}${Buffer.from(random).toString('base64url')}`;
}

export function agentKeyHash(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The key's fingerprint as everything else shows one: the first 12 hex of its sha256. */
export function agentKeyFp(agent: Pick<Agent, 'keyHash'>): string {
  return agent.keyHash.slice(0, 12);
}

/**
 * The broker key in an Authorization header, in the forms SDKs send: `Bearer brk_…` (OAuth style)
 * or `token brk_…` (GitHub's). Anything else — no header, another scheme, a provider token — is no key.
 */
export function brokerKeyOf(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const match = /^(?:bearer|token)[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  const key = match?.[1];
  return key !== undefined && key.startsWith(agentKeyPrefix) ? key : undefined;
}
