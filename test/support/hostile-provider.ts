import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../../fixtures/providers/request-body.js';

// A provider that turns against the broker (issue 11): on 127.0.0.1 it answers as an OpenID
// provider (discovery, token endpoint, userinfo), a GitHub-style token endpoint that fails with
// HTTP 200, an API, and a GitHub App mint endpoint, and every failure echoes back every credential of
// the caller it was sent or issued (the access token that goes with a refresh token it receives): whole, cut short (prefixes of 8 and 10 characters, a 12-character tail), and
// encoded (base64, base64url, percent-encoding, the raw Authorization header). It puts them wherever
// a broker might copy provider words: error, error_description, error_code, the reason phrase,
// response headers, WWW-Authenticate and the body an API call prints.

export interface HostileProvider {
  url: string;
  /** Tokens it "issued" together: when a request carries one, the others are echoed too. */
  issued(...credentials: string[]): void;
  /** Every credential it has received, decoded (client secrets, tokens, JWTs). */
  received(): string[];
  /** Requests per path, for "nothing reached it" checks. */
  hits(): Record<string, number>;
  close(): Promise<void>;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const b64url = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

/** The ways a careless server repeats a credential. */
export function echoesOf(credential: string): string[] {
  return [credential, credential.slice(0, 10), credential.slice(0, 8), credential.slice(-12), b64(credential), b64url(credential), encodeURIComponent(credential), b64(credential).slice(0, 12)];
}

export async function startHostileProvider(options: { identity?: string } = {}): Promise<HostileProvider> {
  const partners = new Map<string, string[]>();
  const received = new Set<string>();
  const hits: Record<string, number> = {};
  let tokenAnswers = 0;

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: Error) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(err.message);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', base);
    hits[url.pathname] = (hits[url.pathname] ?? 0) + 1;
    const body = await readBody(req);
    const sent = credentialsIn(req, body);
    for (const c of sent) received.add(c);
    const everything = [...new Set([...sent, ...sent.flatMap((c) => partners.get(c) ?? [])])];
    const echo = everything.flatMap(echoesOf).join(' | ');
    const authorization = req.headers.authorization ?? '';

    if (url.pathname === '/.well-known/openid-configuration') {
      return json(res, 200, {
        issuer: base,
        token_endpoint: `${base}/token`,
        userinfo_endpoint: `${base}/me`,
        authorization_endpoint: `${base}/auth`,
        device_authorization_endpoint: `${base}/device`,
        response_types_supported: ['code'],
        grant_types_supported: ['authorization_code', 'refresh_token'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      });
    }
    if (url.pathname === '/me' && options.identity && sent.some((c) => partners.has(c))) {
      // Answers as the expected account for a token it issued, so a paste login can be stored.
      return json(res, 200, { sub: options.identity, email: options.identity });
    }
    if (req.method === 'POST' && url.pathname === '/token') {
      tokenAnswers += 1;
      // Take turns: a rotated client secret, a revoked grant, and an error word that is itself a secret's prefix.
      const turn = tokenAnswers % 3;
      const error = turn === 1 ? 'invalid_client' : turn === 2 ? 'invalid_grant' : `bad_${(sent[0] ?? 'x').slice(0, 10)}`;
      return json(res, turn === 1 ? 401 : 400, { error, error_description: `you sent ${authorization} and ${echo}`, error_code: (sent[0] ?? '').slice(0, 9), error_uri: `${base}/why?${encodeURIComponent(echo.slice(0, 200))}` }, `Refused ${(sent[0] ?? '').slice(0, 12)}`);
    }
    if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') {
      // GitHub's habit: token errors with HTTP 200.
      return json(res, 200, { error: 'bad_refresh_token', error_description: `The refresh token passed is incorrect: ${echo}`, error_uri: 'https://docs.github.com/' });
    }
    if (req.method === 'POST' && /^\/app\/installations\/\d+\/access_tokens$/.test(url.pathname)) {
      return json(res, 401, { message: `Bad credentials for JWT ${echo}`, documentation_url: 'https://docs.github.com/rest' }, `Unauthorized ${(sent[0] ?? '').slice(0, 12)}`);
    }
    // Anything else is "the API": a 401 (403 under /forbidden, which no refresh follows) that repeats the bearer token everywhere it can.
    res.setHeader('www-authenticate', `Bearer error="invalid_token", error_description="${(sent[0] ?? '').slice(0, 20)}"`);
    res.setHeader('x-oauth-scopes', (sent[0] ?? '').slice(0, 16));
    res.setHeader('x-accepted-oauth-scopes', b64(sent[0] ?? ''));
    return json(res, url.pathname.endsWith('/forbidden') ? 403 : 401, { message: `Bad credentials: ${echo}`, error: (sent[0] ?? '').slice(0, 10), error_description: echo }, `Unauthorized ${(sent[0] ?? '').slice(0, 12)}`);
  }

  return {
    url: base,
    issued: (...credentials) => credentials.forEach((c) => partners.set(c, credentials.filter((o) => o !== c))),
    received: () => [...received],
    hits: () => ({ ...hits }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What a request carries: the Basic header's id and secret, a bearer token, form fields that hold credentials. */
function credentialsIn(req: IncomingMessage, body: string): string[] {
  const out: string[] = [];
  const authorization = req.headers.authorization;
  if (authorization) {
    const [scheme, value = ''] = authorization.split(/\s+/, 2);
    if (/^basic$/i.test(scheme ?? '')) {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      out.push(decodeForm(decoded.slice(colon + 1)));
    } else {
      out.push(value);
    }
  }
  const form = new URLSearchParams(body);
  for (const field of ['refresh_token', 'client_secret', 'code', 'code_verifier', 'device_code', 'assertion']) {
    const value = form.get(field);
    if (value) out.push(value);
  }
  return out;
}

function decodeForm(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

function json(res: ServerResponse, status: number, body: unknown, reason?: string): void {
  res.writeHead(status, reason?.replace(/[^\x20-\x7e]/g, '?'), { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

