import { usageError } from '../core/broker-error.js';
import { exitCodes } from '../core/exit-codes.js';
import { fingerprint } from '../core/fingerprint.js';
import { ConnectionSchema, ProviderIdSchema, SecretSourceSchema, connectionNameRule, isConnectionName, providerIds, type Connection, type ProviderId } from '../core/state-schema.js';
import { holdsAccessToken, parseTokenInput } from '../core/token-bundle.js';
import { defineCommand, type OptionValues } from './command.js';
import { readAll } from './read-stdin.js';
import { readClientSecretFromStdin } from '../adapters/client-secret.js';
import { mintInstallationToken, readPrivateKeyFile } from '../adapters/github-app-token.js';
import type { TokenBundle } from '../core/token-bundle.js';

export interface ConnectOptions {
  name: string;
  provider: ProviderId;
  kind: 'service' | 'personal';
  account?: string;
  clientId?: string;
  clientSecretSource?: string;
  scopes: string[];
  issuer?: string;
  appId?: number;
  installation?: { id: number; account: string };
  holderCommand?: string;
  privateKeyFile?: string;
  apiBaseUrl?: string;
  tokenStdin: boolean;
  clientSecretStdin: boolean;
  json: boolean;
}

export const connectCommand = defineCommand<ConnectOptions>({
  name: 'connect',
  usage: `Usage: broker connect NAME --provider P [options]

Creates a connection. Without --token-stdin it needs \`broker login NAME\` before it can hand out tokens.

Options:
  --provider P                 ${providerIds.join(' | ')}
  --kind service|personal      who the credential belongs to (default: service)
  --account WHO                the identity this connection must be; logins as anyone else are refused
  --client-id ID               the OAuth client id
  --client-secret-from SRC     env:VAR | file:PATH | keychain
  --client-secret-stdin        read the client secret from stdin (one line) and keep it in the token store
                               (the source becomes keychain); it is never echoed. Pipe it: … < secret.txt
  --scopes A,B                 scopes to request at login
  --issuer URL                 OpenID issuer (provider oidc)
  --app-id N                   GitHub App id (provider github-app)
  --installation N             GitHub App installation id
  --installation-account OWNER the account the installation belongs to
  --private-key-file PATH      the GitHub App's private key (PEM); stored in the token store, never in state.json.
                               Without --token-stdin the first installation token is minted right away.
  --api-base-url URL           the provider's API base when not the public one (GitHub Enterprise, a local stand-in)
  --holder-command CMD         the command restart-holder runs to restart the agent holding the token
  --token-stdin                read an access token, or a token-endpoint JSON bundle, from stdin
  --json                       print the connection as JSON
`,
  options: {
    provider: { type: 'string' },
    kind: { type: 'string' },
    account: { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret-from': { type: 'string' },
    scopes: { type: 'string' },
    issuer: { type: 'string' },
    'app-id': { type: 'string' },
    installation: { type: 'string' },
    'installation-account': { type: 'string' },
    'private-key-file': { type: 'string' },
    'api-base-url': { type: 'string' },
    'holder-command': { type: 'string' },
    'token-stdin': { type: 'boolean' },
    'client-secret-stdin': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  parse: parseConnectOptions,
  async run(opts, deps) {
    const now = deps.now();
    const state = deps.state();
    if (state.get(opts.name)) throw usageError(`a connection named "${opts.name}" already exists`, `run \`broker remove ${opts.name}\` first, or pick another name`);
    let connection: Connection = ConnectionSchema.parse({
      name: opts.name,
      provider: opts.provider,
      kind: opts.kind,
      account: opts.account,
      scopes: opts.scopes,
      clientId: opts.clientId,
      clientSecretSource: opts.clientSecretSource,
      issuer: opts.issuer,
      appId: opts.appId,
      installation: opts.installation,
      apiBaseUrl: opts.apiBaseUrl,
      holderCommand: opts.holderCommand,
      createdAt: now.toISOString(),
    });
    let bundle: TokenBundle | undefined;
    if (opts.clientSecretStdin) {
      if (deps.io.stdin.isTTY) {
        // A terminal would echo the secret as it is typed or pasted.
        throw usageError('--client-secret-stdin reads a pipe, not a terminal (typing would show the secret)', `broker connect ${opts.name} … --client-secret-stdin < secret.txt`);
      }
      bundle = { client_secret: await readClientSecretFromStdin(deps.io.stdin) };
    }
    if (opts.tokenStdin) {
      const input = parseTokenInput(await readAll(deps.io.stdin), now);
      if (!input.ok) throw usageError(input.error, 'pipe a bare token or {"access_token", "refresh_token"?, "expires_in"?} to stdin');
      bundle = input.bundle;
    }
    if (opts.privateKeyFile) {
      const privateKey = readPrivateKeyFile(opts.privateKeyFile);
      bundle = bundle ? { ...bundle, private_key: privateKey } : await mintInstallationToken(connection, { private_key: privateKey }, { warn: (m) => deps.io.stderr.write(`broker: ${m}\n`), env: deps.env });
    }
    if (bundle) await deps.tokens().write(opts.name, bundle);
    if (holdsAccessToken(bundle)) {
      connection = {
        ...connection,
        accessTokenExpiresAt: bundle.expires_at,
        accessTokenFp: fingerprint(bundle.access_token),
        refreshTokenFp: bundle.refresh_token ? fingerprint(bundle.refresh_token) : undefined,
        refreshTokenObtainedAt: bundle.refresh_token ? now.toISOString() : undefined,
        scopes: opts.scopes.length > 0 ? opts.scopes : (bundle.scope?.split(/[ ,]+/).filter(Boolean) ?? []),
      };
    }
    try {
      await state.add(connection);
    } catch (err) {
      if (bundle) await deps.tokens().delete(opts.name);
      throw err;
    }
    if (opts.tokenStdin) {
      deps.appendEvent({ event: 'login', conn: opts.name, method: 'paste', outcome: 'ok', identity: opts.account, scopes: connection.scopes });
    }
    if (opts.json) {
      deps.io.stdout.write(`${JSON.stringify({ connection }, null, 2)}\n`);
    } else {
      const token = connection.accessTokenFp ? `access token fp ${connection.accessTokenFp}` : `no token yet: run \`broker login ${opts.name}\``;
      const secret = bundle?.client_secret ? `; client secret fp ${fingerprint(bundle.client_secret)} kept in the token store` : '';
      deps.io.stdout.write(`connected ${opts.name} (${opts.provider}, ${opts.kind})${secret}; ${token}\n`);
    }
    return exitCodes.ok;
  },
});

function parseConnectOptions(values: OptionValues, positionals: string[]): ConnectOptions {
  const [name, ...extra] = positionals;
  if (!name || extra.length > 0) throw usageError('connect takes exactly one NAME', 'broker connect NAME --provider P');
  if (!isConnectionName(name)) throw usageError(`"${name}" is not a valid name`, `use ${connectionNameRule}`);
  const provider = ProviderIdSchema.safeParse(values.provider);
  if (!provider.success) throw usageError(`--provider must be one of: ${providerIds.join(', ')}`);
  const kind = values.kind ?? 'service';
  if (kind !== 'service' && kind !== 'personal') throw usageError('--kind must be service or personal');
  const clientSecretStdin = values['client-secret-stdin'] === true;
  const secret = values['client-secret-from'] ?? (clientSecretStdin ? 'keychain' : undefined);
  if (secret !== undefined && !SecretSourceSchema.safeParse(secret).success) throw usageError('--client-secret-from must be env:VAR, file:PATH or keychain');
  if (clientSecretStdin && secret !== 'keychain') throw usageError(`--client-secret-stdin keeps the secret in the token store; it cannot be combined with --client-secret-from ${String(secret)}`);
  if (clientSecretStdin && values['token-stdin'] === true) throw usageError('--client-secret-stdin and --token-stdin both read stdin: use one', 'connect with --client-secret-stdin, then run `broker login NAME`');
  const issuer = values.issuer as string | undefined;
  if (issuer !== undefined && !URL.canParse(issuer)) throw usageError(`--issuer "${issuer}" is not a URL`);
  if (provider.data === 'oidc' && !issuer) throw usageError('provider oidc needs --issuer URL');
  const appId = optionalInt(values['app-id'], '--app-id');
  const installationId = optionalInt(values.installation, '--installation');
  const installationAccount = values['installation-account'] as string | undefined;
  const apiBaseUrl = values['api-base-url'] as string | undefined;
  if (apiBaseUrl !== undefined && !URL.canParse(apiBaseUrl)) throw usageError(`--api-base-url "${apiBaseUrl}" is not a URL`);
  const privateKeyFile = values['private-key-file'] as string | undefined;
  if (privateKeyFile !== undefined && provider.data !== 'github-app') throw usageError('--private-key-file is for provider github-app');
  if (clientSecretStdin && provider.data === 'github-app') throw usageError('a GitHub App connection signs with its private key, not a client secret', 'use --private-key-file PATH');
  if (provider.data === 'github-app' && (appId === undefined || installationId === undefined || !installationAccount)) {
    throw usageError('provider github-app needs --app-id N --installation N --installation-account OWNER');
  }
  return {
    name,
    provider: provider.data,
    kind,
    account: values.account as string | undefined,
    clientId: values['client-id'] as string | undefined,
    clientSecretSource: secret as string | undefined,
    scopes: splitList(values.scopes),
    issuer,
    appId,
    installation: installationId !== undefined && installationAccount ? { id: installationId, account: installationAccount } : undefined,
    holderCommand: values['holder-command'] as string | undefined,
    privateKeyFile,
    apiBaseUrl,
    tokenStdin: values['token-stdin'] === true,
    clientSecretStdin,
    json: values.json === true,
  };
}

export function splitList(value: OptionValues[string]): string[] {
  return typeof value === 'string' ? value.split(/[ ,]+/).filter(Boolean) : [];
}

function optionalInt(value: OptionValues[string], flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw usageError(`${flag} must be a positive whole number`);
  return n;
}
