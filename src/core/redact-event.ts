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

/** Replaces token-shaped substrings with [redacted fp=…]. */
export function redactText(text: string): string {
  let out = text;
  for (const shape of secretShapes) out = out.replace(shape, (secret) => redacted(secret));
  return out;
}

/** A copy of a log record with secret-named fields and token-shaped strings replaced by fingerprints. */
export function redactRecord<T extends object>(record: T): T {
  return redactValue(record, '') as T;
}

function redactValue(value: unknown, key: string): unknown {
  if (typeof value === 'string') return secretKey.test(key) && value !== '' ? redacted(value) : redactText(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, key));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, k)]));
  }
  return value;
}

function redacted(secret: string): string {
  return `[redacted fp=${fingerprint(secret)}]`;
}
