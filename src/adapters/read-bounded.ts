import type { Readable } from 'node:stream';

/**
 * All of a stream as text, up to maxBytes. Past that the stream is destroyed and `tooLarge()` is
 * thrown, before the rest is read: what is piped in is a token or a secret, and a larger input is
 * a mistake (a file, /dev/zero) that must not fill the memory.
 */
export async function readBounded(stream: Readable, maxBytes: number, tooLarge: () => Error): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    total += bytes.length;
    if (total > maxBytes) {
      stream.destroy();
      throw tooLarge();
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString('utf8');
}
