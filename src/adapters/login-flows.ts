import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TokenEndpointResponse } from 'openid-client';
import { apiBaseOf, apiUrl } from '../core/api-base.js';
import { BrokerError } from '../core/broker-error.js';
import { exitCodes } from '../core/exit-codes.js';
import { identityFromAnswer, type SeenIdentity } from '../core/login-identity.js';
import type { LoginReporter } from '../core/login-progress.js';
import { providerProfile } from '../core/providers/index.js';
import { scrubSecrets } from '../core/scrub-secrets.js';
import type { Connection } from '../core/state-schema.js';
import { outboundFetchFor, type Env } from './outbound-http.js';
import {
  OAuthError,
  createAuthorizationRequest,
  exchangeAuthorizationCode,
  fetchIdentity,
  pollDeviceAuthorization,
  startDeviceAuthorization,
  type Configuration,
} from './oauth-client.js';

// The three ways `broker login` gets tokens: a browser with a loopback redirect, a device code, or a paste.

export interface BrowserLoginOptions {
  scopes: string[];
  loginHint?: string;
  timeoutSec: number;
  /** Try xdg-open / open (only with --browser and a display). */
  openBrowser: boolean;
  env: Readonly<Record<string, string | undefined>>;
  report: LoginReporter;
  /** Cancels the wait (Ctrl+C on the Ink screen). */
  signal?: AbortSignal;
}

/**
 * Authorization code + PKCE with a loopback redirect (RFC 8252): a one-shot listener on 127.0.0.1 at a
 * random port, the state checked on the way back, and a deadline. Returns the token response.
 */
export async function browserLogin(config: Configuration, options: BrowserLoginOptions): Promise<TokenEndpointResponse> {
  const listener = await listenOnLoopback();
  try {
    const redirectUri = `http://127.0.0.1:${listener.port}/callback`;
    const request = await createAuthorizationRequest(config, { redirectUri, scopes: options.scopes, loginHint: options.loginHint });
    const browserOpened = options.openBrowser && canOpenBrowser(options.env) ? await openInBrowser(request.url) : false;
    options.report({ kind: 'open-url', url: request.url, browserOpened, timeoutSec: options.timeoutSec });
    const callbackUrl = await listener.waitForCallback(request.state, options.timeoutSec, options.signal);
    return await exchangeAuthorizationCode(config, callbackUrl, request);
  } finally {
    listener.close();
  }
}

interface LoopbackListener {
  port: number;
  waitForCallback(state: string, timeoutSec: number, signal?: AbortSignal): Promise<URL>;
  close(): void;
}

async function listenOnLoopback(): Promise<LoopbackListener> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    waitForCallback: (state, timeoutSec, signal) =>
      new Promise<URL>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new BrokerError(`no sign-in came back within ${timeoutSec} s`, exitCodes.failed, 'run broker login again, or use --device when the browser is on another machine')),
          timeoutSec * 1000,
        );
        const finish = (fn: () => void): void => {
          clearTimeout(timer);
          server.off('request', onRequest);
          fn();
        };
        signal?.addEventListener('abort', () => finish(() => reject(new BrokerError('login cancelled', exitCodes.failed))), { once: true });
        const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
          const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
          if (url.pathname !== '/callback') return answer(res, 404, 'Not the sign-in callback.');
          // A callback with someone else's state is not ours (or a forged request): refuse it and keep waiting.
          if (url.searchParams.get('state') !== state) return answer(res, 400, 'This sign-in does not belong to the login that is waiting (state mismatch).');
          const error = url.searchParams.get('error');
          if (error) {
            answer(res, 400, `The provider refused the sign-in: ${error}. Return to the terminal.`);
            return finish(() => reject(new OAuthError({ error, error_description: url.searchParams.get('error_description') ?? undefined })));
          }
          answer(res, 200, 'Signed in. You can close this window and return to the terminal.');
          finish(() => resolve(url));
        };
        server.on('request', onRequest);
      }),
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

function answer(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>broker login</title></head><body><p>${text}</p></body></html>`);
}

/** A browser can open only where a display exists: over SSH there is none, so the URL is printed for copy. */
export function canOpenBrowser(env: Readonly<Record<string, string | undefined>>): boolean {
  if (process.platform === 'darwin' || process.platform === 'win32') return env.SSH_CONNECTION === undefined;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

async function openInBrowser(url: string): Promise<boolean> {
  const { execa } = await import('execa');
  const command = process.platform === 'darwin' ? 'open' : 'xdg-open';
  try {
    await execa(command, [url], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

export interface DeviceLoginOptions {
  scopes: string[];
  now: () => Date;
  report: LoginReporter;
  signal?: AbortSignal;
}

/** The device authorization grant (RFC 8628): show the code, poll until approved; openid-client honours slow_down (+5 s). */
export async function deviceLogin(config: Configuration, options: DeviceLoginOptions): Promise<TokenEndpointResponse> {
  if (!config.serverMetadata().device_authorization_endpoint) {
    throw new BrokerError('this provider offers no device login', exitCodes.usage, 'use --browser, or --no-browser to copy the URL to a machine with a browser');
  }
  const device = await startDeviceAuthorization(config, options.scopes);
  options.report({
    kind: 'device-code',
    userCode: device.userCode,
    verificationUri: device.verificationUri,
    verificationUriComplete: device.verificationUriComplete,
    expiresAt: new Date(options.now().getTime() + device.expiresIn * 1000).toISOString(),
  });
  const deadline = AbortSignal.timeout(device.expiresIn * 1000);
  const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
  try {
    return await pollDeviceAuthorization(config, device, signal);
  } catch (err) {
    if (options.signal?.aborted) throw new BrokerError('login cancelled', exitCodes.failed);
    if (deadline.aborted) throw new BrokerError(`the device code ${device.userCode} expired before it was approved`, exitCodes.failed, 'run broker login --device again');
    throw err;
  }
}

/**
 * Who a token belongs to: userinfo for OpenID providers, else the profile's identity endpoint
 * (GitHub /user on the connection's API base). Undefined when the provider has no way to tell.
 */
export async function fetchLoginIdentity(connection: Connection, accessToken: string, config?: Configuration, env: Env = {}, signal: AbortSignal = AbortSignal.timeout(15_000)): Promise<SeenIdentity | undefined> {
  const profile = providerProfile(connection.provider);
  if (config?.serverMetadata().userinfo_endpoint && (profile.discovery || !profile.endpoints.identity?.url)) {
    const seen = await fetchIdentity(config, accessToken);
    return { identity: seen.identity, aliases: [seen.sub, seen.email].filter((a): a is string => a !== undefined && a !== seen.identity) };
  }
  const endpoint = profile.endpoints.identity;
  if (!endpoint?.url) return undefined;
  const base = apiBaseOf(connection);
  const url = /^https?:/.test(endpoint.url) ? new URL(endpoint.url) : base ? apiUrl(base, endpoint.url) : undefined;
  if (!url) return undefined;
  const res = await outboundFetchFor(env)(url, { method: endpoint.method, headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json', 'user-agent': 'broker' }, signal });
  const body = (await res.json().catch(() => undefined)) as unknown;
  if (!res.ok) {
    const said = (body as { message?: unknown; error?: unknown } | undefined)?.message ?? (body as { error?: unknown } | undefined)?.error;
    const message = typeof said === 'string' ? scrubSecrets(said, { secrets: [{ kind: 'access_token', value: accessToken }] }).slice(0, 300) : undefined;
    throw new OAuthError({ status: res.status, error: 'identity_failed', error_description: `${url.host}${url.pathname} answered ${res.status}${message ? `: ${message}` : ''}` });
  }
  return identityFromAnswer(body, endpoint.accountFields);
}
