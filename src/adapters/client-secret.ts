import { readFileSync } from 'node:fs';
import { BrokerError } from '../core/broker-error.js';
import { exitCodes } from '../core/exit-codes.js';
import { fingerprint } from '../core/fingerprint.js';
import type { Connection } from '../core/state-schema.js';
import type { TokenBundle } from '../core/token-bundle.js';
import type { AppendEvent } from './event-log-writer.js';

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
  const secret = readSource(connection.name, source, bundle, deps.env);
  const fp = fingerprint(secret);
  if (fp !== connection.clientSecretFp) {
    deps.appendEvent({ event: 'secret', conn: connection.name, source, fp, ...(connection.clientSecretFp ? { previous_fp: connection.clientSecretFp } : {}) });
  }
  return { secret, fp, source };
}

function readSource(conn: string, source: string, bundle: TokenBundle | null, env: Readonly<Record<string, string | undefined>>): string {
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
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new BrokerError(`the client secret of "${conn}" comes from ${source}, which cannot be read: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, exitCodes.failed, `put the secret in ${path} (one line, mode 0600)`);
    }
    const secret = text.replace(/\r?\n$/, '');
    if (secret === '') throw new BrokerError(`the client secret file of "${conn}" (${path}) is empty`, exitCodes.failed, `put the secret in ${path}`);
    return secret;
  }
  const secret = bundle?.client_secret;
  if (!secret) {
    throw new BrokerError(`the client secret of "${conn}" is kept in the keychain, and none is stored`, exitCodes.loginNeeded, `broker login ${conn} (it asks for the secret), or point the connection at env:VAR or file:PATH`);
  }
  return secret;
}
