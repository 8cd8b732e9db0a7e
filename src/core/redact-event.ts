import { fingerprint } from './fingerprint.js';

// The broker writes only fingerprints, but log lines can come from anywhere (an API path, a
// hand-edited file): anything shaped like a secret is replaced by its fingerprint before display.

const secretKey = /(?:^|[_-])(?:token|access_token|refresh_token|id_token|secret|client_secret|password|passphrase|authorization|private_key|cookie|assertion|code_verifier|api_key|apikey)$/i;
const secretShapes = [
  /\b(?:Bearer|Basic|token)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g,
  /\bya29\.[A-Za-z0-9._-]{10,}/g,
  /\blin_(?:api|oauth)_[A-Za-z0-9]{20,}/g,
  /\beyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]*/g,
];

// One cheap test that every shape above needs to pass, so ordinary values skip the six replaces.
const anyShape = /Bearer|Basic|token|gh[pousr]_|github_pat_|xox|ya29\.|lin_|eyJ/i;

/** Replaces token-shaped substrings with [redacted fp=…]. */
export function redactText(text: string): string {
  if (text.length < 12 || !anyShape.test(text)) return text;
  let out = text;
  for (const shape of secretShapes) out = out.replace(shape, (secret) => redacted(secret));
  return out;
}

/** The record with secret-named fields and token-shaped strings replaced by fingerprints (a copy when anything changed). */
export function redactRecord<T extends object>(record: T): T {
  return redactValue(record, '') as T;
}

const secretKeyCache = new Map<string, boolean>();

function isSecretKey(key: string): boolean {
  let secret = secretKeyCache.get(key);
  if (secret === undefined) {
    secret = secretKey.test(key);
    if (secretKeyCache.size < 10_000) secretKeyCache.set(key, secret);
  }
  return secret;
}

// Copies only what changes: almost every record comes back as it went in.
function redactValue(value: unknown, key: string): unknown {
  if (typeof value === 'string') return value !== '' && isSecretKey(key) ? redacted(value) : redactText(value);
  if (Array.isArray(value)) {
    const items = value.map((item) => redactValue(item, key));
    return items.some((item, i) => item !== value[i]) ? items : value;
  }
  if (value !== null && typeof value === 'object') {
    let copy: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(value)) {
      const out = redactValue(v, k);
      if (out !== v) (copy ??= { ...value })[k] = out;
    }
    return copy ?? value;
  }
  return value;
}

function redacted(secret: string): string {
  return `[redacted fp=${fingerprint(secret)}]`;
}
