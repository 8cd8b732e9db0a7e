import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { mintInstallationToken } from '../../src/adapters/github-app-token.js';
import { oauthConfiguration, refreshGrant } from '../../src/adapters/oauth-client.js';
import { OutboundRefusedError, outboundFetchFor, proxySettingsOf } from '../../src/adapters/outbound-http.js';
import { BrokerError } from '../../src/core/broker-error.js';
import { outboundUrlProblem } from '../../src/core/outbound-policy.js';

// Issue 11 item 3: one outbound policy for OAuth, `broker api`, the GitHub App mint and `serve`:
// https, or plain http only to loopback; redirects only within one origin, recorded; a 307/308
// never re-sends a body to another origin.

describe('the outbound policy: one check for every path', () => {
  const rows: Array<[string, boolean]> = [
    ['https://api.example.com/x', true],
    ['http://127.0.0.1:8080/', true],
    ['http://127.1.2.3/', true],
    ['http://0x7f.1/', true], // the URL parser makes it 127.0.0.1
    ['http://2130706433/', true], // so is this
    ['http://localhost:3000/', true],
    ['http://[::1]:9000/', true],
    ['http://[0:0:0:0:0:0:0:1]/', true], // parsed to [::1]
    ['http://[::ffff:127.0.0.1]:9000/', false],
    ['http://[::ffff:7f00:1]/', false],
    ['http://[::]/', false],
    ['http://0.0.0.0/', false],
    ['http://localhost./', false],
    ['http://127.0.0.1.example.com/', false],
    ['http://10.0.0.1/', false],
    ['http://example.com/', false],
    ['ftp://127.0.0.1/', false],
    ['file:///etc/passwd', false],
  ];
  for (const [url, allowed] of rows) {
    it(`${url} → ${allowed ? 'allowed' : 'refused'}, by the policy, the OAuth client and the outbound fetch alike`, async () => {
      assert.equal(outboundUrlProblem(new URL(url)) === undefined, allowed);
      const oauth = oauthConfiguration({ issuer: url, discovery: false, tokenEndpoint: url }, { clientId: 'fake-client', clientSecret: 'fake-secret-9a8b' });
      if (allowed) await oauth;
      else await assert.rejects(oauth, (err: unknown) => err instanceof BrokerError && /refusing/.test(err.message));
      // Allowed URLs are not fetched here (nothing listens); refused ones must be refused before any connection.
      if (!allowed) await assert.rejects(outboundFetchFor({})(url, { headers: { authorization: 'Bearer fake-token-5c4d' } }), OutboundRefusedError);
    });
  }

  it('proxy variables: lowercase wins, empty means unset', () => {
    assert.deepEqual(proxySettingsOf({ HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:2', HTTP_PROXY: '', NO_PROXY: 'a.test' }), { httpsProxy: 'http://lower:2', httpProxy: undefined, noProxy: 'a.test' });
  });
});

interface Seen {
  method: string;
  path: string;
  body: string;
  authorization?: string;
  contentType?: string;
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void, host = '127.0.0.1'): Promise<{ server: Server; origin: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', path: req.url ?? '', body, authorization: req.headers.authorization, contentType: req.headers['content-type'] });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return { server, origin: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, seen };
}

describe('redirects: followed within the origin only, and told', () => {
  let api: Awaited<ReturnType<typeof listen>>;
  let other: Awaited<ReturnType<typeof listen>>;
  before(async () => {
    other = await listen((_req, res) => res.end('stolen'));
    api = await listen((req, res, body) => {
      const redirect = (status: number, location: string) => {
        res.writeHead(status, { location });
        res.end();
      };
      const path = req.url ?? '';
      if (path === '/same') return redirect(302, '/final');
      if (path === '/307-same') return redirect(307, '/echo');
      if (path === '/308-other') return redirect(308, `${other.origin}/steal`);
      if (path === '/302-other') return redirect(302, `${other.origin}/steal`);
      if (path === '/303') return redirect(303, '/echo');
      if (path === '/loop') return redirect(302, '/loop');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ path, method: req.method, body, authorized: Boolean(req.headers.authorization), contentType: req.headers['content-type'] ?? null }));
    });
  });
  after(() => {
    api.server.close();
    other.server.close();
  });
  const send = outboundFetchFor({});
  const post = { method: 'POST', headers: { authorization: 'Bearer fake-token-5c4d', 'content-type': 'application/x-www-form-urlencoded' }, body: 'fake=body' };

  it('a same-origin redirect is followed, and the answer says where it came from', async () => {
    const res = await send(`${api.origin}/same`, { headers: { authorization: 'Bearer fake-token-5c4d' } });
    assert.equal(res.status, 200);
    assert.equal(res.finalUrl.pathname, '/final');
    assert.equal(res.redirects, 1);
    assert.equal((await res.json()).authorized, true);
  });

  it('a same-origin 307 repeats the method and the body', async () => {
    const res = await send(`${api.origin}/307-same`, post);
    assert.deepEqual(await res.json(), { path: '/echo', method: 'POST', body: 'fake=body', authorized: true, contentType: 'application/x-www-form-urlencoded' });
  });

  it('303 becomes a GET without the body or its content type', async () => {
    const res = await send(`${api.origin}/303`, post);
    assert.deepEqual(await res.json(), { path: '/echo', method: 'GET', body: '', authorized: true, contentType: null });
  });

  it('a 308 or 302 to another origin is not followed: the body and the token never reach it', async () => {
    for (const path of ['/308-other', '/302-other']) {
      const res = await send(`${api.origin}${path}`, post);
      assert.equal(res.status, path.startsWith('/308') ? 308 : 302);
      assert.equal(res.refusedRedirect?.origin, other.origin);
      assert.equal(res.finalUrl.pathname, path);
    }
    assert.deepEqual(other.seen, []);
  });

  it('redirect: "manual" (openid-client) gets the 3xx as it came; a loop is cut off', async () => {
    const manual = await send(`${api.origin}/same`, { redirect: 'manual' });
    assert.equal(manual.status, 302);
    assert.equal(manual.redirects, 0);
    await assert.rejects(send(`${api.origin}/loop`), /redirected more than 10 times/);
  });
});

describe('an IPv4-mapped loopback address is not loopback (the OAuth path already refused it)', () => {
  let listener: Awaited<ReturnType<typeof listen>>;
  before(async () => {
    // Dual-stack: a connection to [::ffff:127.0.0.1] would reach this server.
    listener = await listen((_req, res) => res.end('{}'), '::');
  });
  after(() => listener.server.close());

  it('nothing is sent to http://[::ffff:127.0.0.1]:PORT', async () => {
    const port = new URL(listener.origin).port;
    await assert.rejects(outboundFetchFor({})(`http://[::ffff:127.0.0.1]:${port}/user`, { headers: { authorization: 'Bearer fake-token-5c4d' } }), /refusing plain http:\/\/ to a non-loopback host/);
    assert.deepEqual(listener.seen, []);
  });
});

describe('the OAuth client and the GitHub App mint send through the same policy', () => {
  let listener: Awaited<ReturnType<typeof listen>>;
  let discovery: Awaited<ReturnType<typeof listen>>;
  let mapped = '';
  before(async () => {
    listener = await listen((_req, res) => res.end('{}'), '::');
    mapped = `http://[::ffff:127.0.0.1]:${new URL(listener.origin).port}`;
    // A loopback issuer (so openid-client allows http) whose discovery names a token endpoint elsewhere on plain http.
    discovery = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer: discovery.origin, token_endpoint: `${mapped}/token` }));
    });
  });
  after(() => {
    listener.server.close();
    discovery.server.close();
  });

  it('a discovered token endpoint on a non-loopback http host gets no refresh token and no client secret', async () => {
    const config = await oauthConfiguration({ issuer: discovery.origin, discovery: true }, { clientId: 'fake-client', clientSecret: 'fake-secret-9a8b' });
    await assert.rejects(refreshGrant(config, 'fake-refresh-token-1f2e'), OutboundRefusedError);
    assert.deepEqual(listener.seen, []);
  });

  it('a GitHub App whose API base is such a host gets no JWT', async () => {
    const connection = { name: 'app', provider: 'github-app', kind: 'service', scopes: [], appId: 1, installation: { id: 7, account: 'acme' }, apiBaseUrl: mapped, createdAt: new Date().toISOString(), generation: 0, acknowledgements: [] } as const;
    const { privateKey } = await import('node:crypto').then((c) => c.generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }));
    await assert.rejects(mintInstallationToken({ ...connection, scopes: [], acknowledgements: [] }, { private_key: privateKey }), OutboundRefusedError);
    assert.deepEqual(listener.seen, []);
  });
});
