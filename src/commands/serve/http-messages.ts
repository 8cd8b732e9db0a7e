import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { loggedResponseHeaders } from '../../core/events.js';
import type { ScopeHint } from '../../core/preflight.js';
import { stripControl } from '../../core/strip-control.js';

// The HTTP messages of `broker serve`: request bodies (read whole when they can be replayed), the
// headers each way, and what the provider said about a route for one token.

/** Request bodies up to this size are read whole before sending, so a 401 can be retried with a new token. */
export const replayableBodyBytes = 1024 * 1024;
const hopByHop = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

export interface RequestBody {
  content: Buffer | Readable | undefined;
  /** Read whole (or none): it can be sent again after a 401. */
  replayable: boolean;
  /** A reader of the bytes sent so far. */
  countSent(): () => number;
}

export async function requestBody(req: IncomingMessage): Promise<RequestBody> {
  const length = Number(req.headers['content-length'] ?? 0);
  const chunked = req.headers['transfer-encoding'] !== undefined;
  if (chunked || length > replayableBodyBytes) {
    let sent = 0;
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        sent += chunk.length;
        done(null, chunk);
      },
    });
    req.once('error', (err) => counted.destroy(err));
    req.pipe(counted);
    return { content: counted, replayable: false, countSent: () => () => sent };
  }
  if (!(length > 0)) {
    req.resume();
    return { content: undefined, replayable: true, countSent: () => () => 0 };
  }
  const content = await readCapped(req, replayableBodyBytes);
  return { content, replayable: true, countSent: () => () => content.length };
}

/** Reads a stream up to `cap` bytes. A stream cut off before its end rejects: half a request body is never sent. */
export function readCapped(stream: Readable, cap: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks = new CappedBuffer(cap);
    let ended = false;
    stream.on('data', (chunk: Buffer) => chunks.add(chunk));
    stream.once('end', () => {
      ended = true;
      resolve(chunks.content());
    });
    stream.once('error', reject);
    stream.once('close', () => {
      if (!ended) reject(new Error('the stream closed before its end'));
    });
  });
}

export class CappedBuffer {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly cap: number) {}
  add(chunk: Buffer): void {
    if (this.size >= this.cap) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
  }
  content(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** The caller's headers for the provider: its broker key out, the real token in, hop-by-hop headers dropped. */
export function upstreamHeaders(incoming: IncomingHttpHeaders, accessToken: string, host: string): OutgoingHttpHeaders {
  const named = new Set(String(incoming.connection ?? '').toLowerCase().split(/\s*,\s*/).filter(Boolean));
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || hopByHop.has(name) || named.has(name) || name === 'authorization' || name === 'host' || name === 'expect') continue;
    headers[name] = value;
  }
  headers.host = host;
  headers.authorization = `Bearer ${accessToken}`;
  return headers;
}

/**
 * The provider's headers for the caller, in order, without hop-by-hop ones. Absolute links back to
 * the API (Location, GitHub's pagination Link) are pointed at serve, so following them keeps the token out.
 */
export function responseHeaders(raw: string[], rewrite: { base: string; prefix?: string }): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? '';
    let value = raw[i + 1] ?? '';
    const lower = name.toLowerCase();
    if (hopByHop.has(lower)) continue;
    if (rewrite.prefix && (lower === 'location' || lower === 'link')) value = value.split(rewrite.base).join(rewrite.prefix);
    out.push(name, value);
  }
  return out;
}

export function loggedHeaders(headers: IncomingHttpHeaders): Record<string, string | undefined> {
  const picked: Record<string, string | undefined> = {};
  for (const name of ['date', ...loggedResponseHeaders]) {
    const value = headers[name];
    if (value !== undefined) picked[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return picked;
}

/** The captured body as text, decompressed when the provider compressed it; '' when it cannot be read. */
export function decoded(body: Buffer, headers: IncomingHttpHeaders): string {
  if (body.length === 0) return '';
  try {
    const encoding = String(headers['content-encoding'] ?? '').toLowerCase();
    const plain = encoding === 'gzip' ? gunzipSync(body) : encoding === 'deflate' ? inflateSync(body) : encoding === 'br' ? brotliDecompressSync(body) : body;
    return plain.toString('utf8');
  } catch {
    return '';
  }
}

export function headerSafe(text: string): string {
  return stripControl(text).replace(/[^\x20-\x7e]/g, '?').slice(0, 300);
}

/** What the provider said about a route for one token (its 403), so the next identical call is refused before it leaves. */
export class ScopeHints {
  private readonly hints = new Map<string, ScopeHint>();
  private static readonly max = 1_000;
  private key(conn: string, atFp: string, method: string, path: string): string {
    return `${conn}\u0000${atFp}\u0000${method}\u0000${path}`;
  }
  get(conn: string, atFp: string, method: string, path: string): ScopeHint | undefined {
    return this.hints.size === 0 ? undefined : this.hints.get(this.key(conn, atFp, method, path));
  }
  set(conn: string, atFp: string, method: string, path: string, hint: ScopeHint): void {
    if (this.hints.size >= ScopeHints.max) this.hints.delete(this.hints.keys().next().value as string);
    this.hints.set(this.key(conn, atFp, method, path), hint);
  }
}
