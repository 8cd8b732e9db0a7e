import type { Readable } from 'node:stream';
import { usageError } from '../core/broker-error.js';
import { maxTokenInputBytes } from '../core/token-bundle.js';

/**
 * All of stdin as text, up to maxBytes: what is piped in is a token, so a larger input is a
 * mistake (a file, /dev/zero) and is refused before it fills the memory of every later command.
 */
export async function readAll(stream: Readable, maxBytes = maxTokenInputBytes): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    total += bytes.length;
    if (total > maxBytes) {
      stream.destroy();
      throw usageError(`stdin holds more than ${Math.round(maxBytes / 1024)} KiB: that is not a token`, 'pipe a bare access token, or a {"access_token", "refresh_token"?, "expires_in"?} JSON bundle');
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString('utf8');
}
