import type { Readable } from 'node:stream';
import { BrokerError, usageError } from '../core/broker-error.js';
import { exitCodes } from '../core/exit-codes.js';
import { fingerprint } from '../core/fingerprint.js';
import type { Connection } from '../core/state-schema.js';
import type { TokenBundle } from '../core/token-bundle.js';
import type { AppendEvent } from './event-log-writer.js';
import { readBoundedRegularFile } from './regular-file.js';
import { readBounded } from './read-bounded.js';

/** A client secret is a line of text; anything larger is not one (a log, /dev/zero, a whole environment). */
export const maxClientSecretBytes = 64 * 1024;

export interface LoadedClientSecret {
  /** Undefined for a public client (no clientSecretSource). */
  secret?: string;
  fp?: string;
  source?: string;
}

/**
 * Reads the connection's client secret from its source: `env:VAR`, `file:PATH` (one line, trailing
 * newline dropped) or `keychain` (the client_secret kept in the token bundle). When its fingerprint
 * differs from the one that last worked (state's clientSecretFp), a `secret` event records the change,
 * so the doctor can tell "the secret was rotated at the provider" from "the source now holds a new one".
 */
export function loadClientSecret(
  connection: Connection,
  bundle: TokenBundle | null,
  deps: { env: Readonly<Record<string, string | undefined>>; appendEvent: AppendEvent },
): LoadedClientSecret {
  const source = connection.clientSecretSource;
  if (source === undefined) return {};
  const secret = clientSecretFromSource(connection.name, source, bundle, deps.env);
  const fp = fingerprint(secret);
  if (fp !== connection.clientSecretFp) {
    deps.appendEvent({ event: 'secret', conn: connection.name, source, fp, ...(connection.clientSecretFp ? { previous_fp: connection.clientSecretFp } : {}) });
  }
  return { secret, fp, source };
}

/** The secret its source holds now, without recording anything (loadClientSecret records a change). */
export function clientSecretFromSource(conn: string, source: string, bundle: Pick<TokenBundle, 'client_secret'> | null, env: Readonly<Record<string, string | undefined>>): string {
  if (source.startsWith('env:')) {
    const name = source.slice('env:'.length);
    const value = env[name];
    if (value === undefined || value === '') {
      throw new BrokerError(`the client secret of "${conn}" comes from ${source}, and ${name} is not set`, exitCodes.failed, `export ${name}=… in the environment that runs broker`);
    }
    return value;
  }
  if (source.startsWith('file:')) {
    const path = source.slice('file:'.length);
    const bytes = readBoundedRegularFile(path, {
      maxBytes: maxClientSecretBytes,
      what: `the client secret file of "${conn}"`,
      hint: `put the secret in ${path} (one line, a regular file, mode 0600)`,
    });
    return oneLineSecret(bytes.toString('utf8'), `the client secret file of "${conn}" (${path})`, `put the secret alone in ${path}`);
  }
  const secret = bundle?.client_secret;
  if (!secret) {
    throw new BrokerError(`the client secret of "${conn}" is kept in the keychain, and none is stored`, exitCodes.failed, keychainSecretHint(conn));
  }
  return secret;
}

/** How a keychain-kept client secret gets there; the secret itself never goes on a command line. */
export function keychainSecretHint(conn: string): string {
  return `store it from stdin: broker remove ${conn}, then broker connect ${conn} … --client-secret-stdin < FILE; or point the connection at env:VAR or file:PATH`;
}

/**
 * The secret in `text`: one line, the trailing newline dropped. Empty text, several lines or control
 * characters mean the source holds something other than a secret, and it is not sent anywhere.
 */
export function oneLineSecret(text: string, subject: string, hint: string): string {
  const secret = text.replace(/\r?\n$/, '');
  if (secret === '') throw new BrokerError(`${subject} is empty`, exitCodes.failed, hint);
  if (/[\u0000-\u001f\u007f]/.test(secret)) throw new BrokerError(`${subject} holds more than one line or control characters: a client secret is one line of text`, exitCodes.failed, hint);
  return secret;
}

/** `connect --client-secret-stdin`: at most maxClientSecretBytes, one line; the bytes are never echoed. */
export async function readClientSecretFromStdin(stdin: Readable): Promise<string> {
  const text = await readBounded(stdin, maxClientSecretBytes, () =>
    usageError(`stdin holds more than ${maxClientSecretBytes} bytes: not a client secret`, 'pipe only the secret: broker connect NAME … --client-secret-stdin < FILE'),
  );
  try {
    return oneLineSecret(text, 'the client secret on stdin', 'pipe only the secret, one line');
  } catch (err) {
    throw err instanceof BrokerError ? usageError(err.message, err.hint) : err;
  }
}
