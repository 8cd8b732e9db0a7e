import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';

// AES-256-GCM, the one cipher of the token stores that keep secrets themselves (the file store and
// PostgreSQL, §3, §14). A 96-bit random IV per seal; the tag authenticates, so a wrong key or a
// changed byte opens as null instead of as garbage.

export interface Sealed {
  iv: Buffer;
  tag: Buffer;
  data: Buffer;
}

export const keyBytes = 32;
const ivBytes = 12;
const tagBytes = 16;

/** The store key from a passphrase: scrypt with the store's own salt (N=16384, r=8, p=1). */
export function keyFromPassphrase(passphrase: string, salt: Buffer): Buffer {
  return scryptSync(passphrase, salt, keyBytes);
}

/** `context` (additional authenticated data) ties a sealed value to where it belongs: opened anywhere else, it fails. */
export function seal(key: Buffer, text: string, context?: string): Sealed {
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  if (context !== undefined) cipher.setAAD(Buffer.from(context, 'utf8'));
  const data = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), data };
}

/** Null when the key is wrong, the context differs or a byte was changed (GCM authentication fails). */
export function open(key: Buffer, sealed: Sealed, context?: string): string | null {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv);
    if (context !== undefined) decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(sealed.tag);
    return Buffer.concat([decipher.update(sealed.data), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

/** One byte string for a bytea column: IV, tag, ciphertext. */
export function packSealed(sealed: Sealed): Buffer {
  return Buffer.concat([sealed.iv, sealed.tag, sealed.data]);
}

export function unpackSealed(packed: Buffer): Sealed | null {
  if (packed.length < ivBytes + tagBytes) return null;
  return { iv: packed.subarray(0, ivBytes), tag: packed.subarray(ivBytes, ivBytes + tagBytes), data: packed.subarray(ivBytes + tagBytes) };
}
