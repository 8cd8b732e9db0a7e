import { createHash } from 'node:crypto';

/** The only form in which a secret may appear anywhere: first 12 hex chars of sha256. */
export function fingerprint(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex').slice(0, 12);
}
