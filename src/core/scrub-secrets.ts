import type { TokenBundle } from './token-bundle.js';

// The one redaction pass for text a provider wrote (error bodies, messages, reason phrases, API
// bodies). A provider, a proxy or a hostile server may echo what it received: the client secret, the
// Basic header built from it, the refresh or access token, whole or cut short. Shape-based redaction
// (redact-event.ts) cannot know an opaque secret, so this pass is given the connection's own secrets
// and removes every run of at least `minScrubbedRun` characters of any of them, in every common
// encoding, before the text is stored or shown.

export type SecretKind = 'client_secret' | 'access_token' | 'refresh_token' | 'private_key' | 'passphrase' | 'credential';

export interface KnownSecret {
  kind: SecretKind;
  value: string | undefined;
}

export interface KnownSecrets {
  secrets: readonly KnownSecret[];
  /** Public, but with the client secret it forms the Basic header `base64(id:secret)` a server may echo. */
  clientId?: string;
}

/** Any run of this many characters taken from a secret (or one of its encodings) is removed: prefixes, suffixes, pieces. */
export const minScrubbedRun = 8;
/** Shorter values are removed only when they appear whole; below this they are not secrets worth the damage to the text. */
const minSecretLength = 4;

export type Scrub = (text: string) => string;

/** Text with every known secret cut out; a convenience for one-off calls (build the scrubber once for many). */
export function scrubSecrets(text: string, known: KnownSecrets): string {
  return secretScrubber(known)(text);
}

/**
 * Builds the pass once for a set of secrets: every window of `minScrubbedRun` characters of every
 * form of every secret goes into a table, and the text is scanned once with a rolling hash, so a
 * multi-megabyte API body costs one linear scan, not one search per secret and encoding.
 */
export function secretScrubber(known: KnownSecrets): Scrub {
  const windows = new Map<string, SecretKind>();
  const windowHashes = new Set<number>();
  const whole: Array<{ value: string; kind: SecretKind }> = [];
  for (const { kind, value } of known.secrets) {
    if (value === undefined || value.length < minSecretLength) continue;
    for (const form of formsOf(value, kind, known.clientId)) {
      if (form.length < minScrubbedRun) {
        whole.push({ value: form, kind });
        continue;
      }
      for (let i = 0; i + minScrubbedRun <= form.length; i++) {
        const window = form.slice(i, i + minScrubbedRun);
        if (!windows.has(window)) {
          windows.set(window, kind);
          windowHashes.add(hashOf(window));
        }
      }
    }
  }
  if (windows.size === 0 && whole.length === 0) return (text) => text;
  return (text) => {
    if (text.length < minSecretLength) return text;
    const spans: Span[] = [];
    if (text.length >= minScrubbedRun && windows.size > 0) scanWindows(text, windows, windowHashes, spans);
    for (const { value, kind } of whole) {
      for (let at = text.indexOf(value); at !== -1; at = text.indexOf(value, at + 1)) spans.push({ start: at, end: at + value.length, kind });
    }
    return spans.length === 0 ? text : cut(text, spans);
  };
}

/** Every string inside a plain value (object fields, array items) scrubbed; the same object back when nothing changed. */
export function scrubStrings<T>(value: T, scrub: Scrub): T {
  if (typeof value === 'string') return scrub(value) as T;
  if (Array.isArray(value)) {
    const items = value.map((item: unknown) => scrubStrings(item, scrub));
    return (items.some((item, i) => item !== value[i]) ? items : value) as T;
  }
  if (value !== null && typeof value === 'object') {
    let copy: Record<string, unknown> | undefined;
    for (const [key, field] of Object.entries(value)) {
      const out = scrubStrings(field, scrub);
      if (out !== field) (copy ??= { ...(value as Record<string, unknown>) })[key] = out;
    }
    return (copy ?? value) as T;
  }
  return value;
}

/** The secrets a connection's text may echo: its tokens, client secret, private key and the file store's passphrase. */
export function connectionSecrets(input: {
  clientId?: string;
  clientSecret?: string;
  bundle?: Partial<TokenBundle> | null;
  env?: Readonly<Record<string, string | undefined>>;
  /** Credentials of this call only (a JWT, a device code, an authorization code). */
  also?: readonly KnownSecret[];
}): KnownSecrets {
  const { bundle } = input;
  return {
    clientId: input.clientId,
    secrets: [
      { kind: 'client_secret', value: input.clientSecret },
      { kind: 'client_secret', value: bundle?.client_secret },
      { kind: 'access_token', value: bundle?.access_token },
      { kind: 'refresh_token', value: bundle?.refresh_token },
      { kind: 'private_key', value: bundle?.private_key },
      { kind: 'passphrase', value: input.env?.BROKER_PASSPHRASE },
      ...(input.also ?? []),
    ],
  };
}

/** Two sets as one (the adapter's view of a call plus the connection's). */
export function mergeSecrets(a: KnownSecrets, b: KnownSecrets): KnownSecrets {
  return { clientId: a.clientId ?? b.clientId, secrets: [...a.secrets, ...b.secrets] };
}

// ---- Forms a secret travels in

/**
 * The secret as a server could echo it: raw; base64 and base64url at each of the three byte
 * alignments (so a piece cut from the middle of an encoded header still matches); percent-encoding
 * in upper and lower hex, form encoding (space as +) and the stricter form encoding openid-client
 * uses for client credentials (RFC 6749 §2.3.1); JSON string escaping; hex; and for a client secret
 * the Basic header's base64(client_id:secret) in both raw and form-encoded variants.
 * A PEM private key is also taken line by line and as its bare base64 body.
 */
function formsOf(secret: string, kind: SecretKind, clientId: string | undefined): Set<string> {
  const forms = new Set<string>();
  const add = (form: string) => {
    if (form.length >= minSecretLength) forms.add(form);
  };
  const values = kind === 'private_key' ? pemPieces(secret) : [secret];
  for (const value of values) {
    add(value);
    const bytes = Buffer.from(value, 'utf8');
    for (let offset = 0; offset < 3 && offset < bytes.length; offset++) {
      // Inside a longer encoded string (a Basic header) the secret starts at one of three alignments.
      const base64 = bytes.subarray(offset).toString('base64');
      add(base64);
      add(toBase64Url(base64));
    }
    const percent = encodeURIComponent(value);
    add(percent);
    add(lowerHexEscapes(percent));
    add(new URLSearchParams({ v: value }).toString().slice(2));
    add(strictFormEncode(value));
    add(JSON.stringify(value).slice(1, -1));
    const hex = bytes.toString('hex');
    add(hex);
    add(hex.toUpperCase());
  }
  if (kind === 'client_secret' && clientId !== undefined) {
    add(Buffer.from(`${clientId}:${secret}`, 'utf8').toString('base64'));
    add(Buffer.from(`${strictFormEncode(clientId)}:${strictFormEncode(secret)}`, 'utf8').toString('base64'));
  }
  return forms;
}

function pemPieces(key: string): string[] {
  const lines = key.split(/\r?\n/).map((l) => l.trim());
  const body = lines.filter((l) => l !== '' && !l.startsWith('-----'));
  // The armor lines (-----BEGIN … KEY-----) are public words: only the key material is secret.
  return body.length === 0 ? [key] : [body.join(''), ...body];
}

function toBase64Url(base64: string): string {
  return base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function lowerHexEscapes(percent: string): string {
  return percent.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
}

// openid-client (oauth4webapi formUrlEncode) escapes - _ . ! ~ * ' ( ) too before building the Basic header.
function strictFormEncode(value: string): string {
  return encodeURIComponent(value).replace(/[-_.!~*'()]|%20/g, (s) => (s === '%20' ? '+' : `%${s.charCodeAt(0).toString(16).toUpperCase()}`));
}

// ---- Scanning

interface Span {
  start: number;
  end: number;
  kind: SecretKind;
}

const hashBase = 131;
const hashModulus = 2_147_483_647;
// hashBase^(minScrubbedRun-1) mod hashModulus, to drop the character leaving the window.
const leadingWeight = (() => {
  let w = 1;
  for (let i = 1; i < minScrubbedRun; i++) w = (w * hashBase) % hashModulus;
  return w;
})();

// Products stay below 2^53 (hashModulus < 2^31, char codes < 2^16, hashBase < 2^8), so doubles are exact.
function hashOf(window: string): number {
  let h = 0;
  for (let i = 0; i < window.length; i++) h = (h * hashBase + window.charCodeAt(i)) % hashModulus;
  return h;
}

function scanWindows(text: string, windows: Map<string, SecretKind>, hashes: Set<number>, spans: Span[]): void {
  let h = hashOf(text.slice(0, minScrubbedRun));
  for (let start = 0; ; start++) {
    if (hashes.has(h)) {
      const kind = windows.get(text.slice(start, start + minScrubbedRun));
      if (kind !== undefined) {
        const last = spans.at(-1);
        // Overlapping windows of one run extend it: the run is cut out whole.
        if (last && start <= last.end) last.end = start + minScrubbedRun;
        else spans.push({ start, end: start + minScrubbedRun, kind });
      }
    }
    const next = start + minScrubbedRun;
    if (next >= text.length) break;
    h = (((h - ((text.charCodeAt(start) * leadingWeight) % hashModulus) + hashModulus) % hashModulus) * hashBase + text.charCodeAt(next)) % hashModulus;
  }
}

function cut(text: string, spans: Span[]): string {
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let at = 0;
  let open: Span | undefined;
  for (const span of spans) {
    if (open && span.start <= open.end) {
      open.end = Math.max(open.end, span.end);
      continue;
    }
    if (open) {
      out += `${text.slice(at, open.start)}[redacted ${open.kind}]`;
      at = open.end;
    }
    open = { ...span };
  }
  if (open) {
    out += `${text.slice(at, open.start)}[redacted ${open.kind}]`;
    at = open.end;
  }
  return out + text.slice(at);
}
