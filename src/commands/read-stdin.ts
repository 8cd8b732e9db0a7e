import type { Readable } from 'node:stream';
import { readBounded } from '../adapters/read-bounded.js';
import { usageError } from '../core/broker-error.js';
import { maxTokenInputBytes } from '../core/token-bundle.js';

/**
 * All of stdin as text, up to maxBytes: what is piped in is a token, so a larger input is a
 * mistake and is refused before it fills the memory of every later command.
 */
export function readAll(stream: Readable, maxBytes = maxTokenInputBytes): Promise<string> {
  return readBounded(stream, maxBytes, () =>
    usageError(`stdin holds more than ${Math.round(maxBytes / 1024)} KiB: that is not a token`, 'pipe a bare access token, or a {"access_token", "refresh_token"?, "expires_in"?} JSON bundle'),
  );
}
