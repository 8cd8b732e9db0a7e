import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, setGlobalDispatcher } from 'undici';
import { mintTokens, startOidcProvider, type RunningOidcProvider } from '../../fixtures/providers/oidc-provider-server.js';
import { startConnectProxy, type ConnectProxy } from '../support/connect-proxy.js';
import { readEvents } from '../support/home-files.js';
import { runBroker } from '../support/run-broker.js';
import { startServe } from '../support/serve-process.js';
import { tempHome } from '../support/temp-home.js';
import { nonLoopbackAddress, selfSignedCertificate } from '../support/tls-cert.js';

// `broker serve` behind a corporate proxy (seed 6): its refreshes and its proxied API calls go through
// HTTPS_PROXY's CONNECT tunnels, and straight to the provider when NO_PROXY names it, so agents never
// put the broker in their own HTTPS_PROXY. The provider serves https on this machine's non-loopback
// address: a loopback target is never proxied (see corporate-proxy.test.ts).

const alice = 'alice@example.test';
const secret = 'serve-proxy-client-secret-9c2d';
const ip = nonLoopbackAddress();
const certificate = selfSignedCertificate(tempHome('broker-serve-proxy-tls-'), ip);
setGlobalDispatcher(new Agent({ connect: { ca: certificate.cert } }));

let remote: RunningOidcProvider;
let proxy: ConnectProxy;
before(async () => {
  remote = await startOidcProvider({ host: ip, tls: certificate, clientSecret: secret });
  proxy = await startConnectProxy();
});
after(async () => {
  await Promise.all([remote.close(), proxy.close()]);
});

const noProxyVariables = { HTTPS_PROXY: '', https_proxy: '', HTTP_PROXY: '', http_proxy: '', NO_PROXY: '', no_proxy: '' };

/** A home whose connection's access token has expired (the first call refreshes) unless told otherwise, and an agent key for it. */
async function expiredHome(options: { expired?: boolean } = {}): Promise<{ env: (proxyVariables: Record<string, string>) => Record<string, string>; key: string; home: string }> {
  const home = tempHome();
  const env = (proxyVariables: Record<string, string>) => ({ BROKER_HOME: home, OIDC_SECRET: secret, NODE_EXTRA_CA_CERTS: certificate.certPath, ...noProxyVariables, ...proxyVariables });
  const tokens = await mintTokens(remote.issuer, { clientId: remote.clientId, clientSecret: secret }, alice);
  const r = await runBroker(
    ['connect', 'corp', '--provider', 'oidc', '--issuer', remote.issuer, '--client-id', remote.clientId, '--client-secret-from', 'env:OIDC_SECRET', '--token-stdin'],
    { env: env({}), input: JSON.stringify(options.expired === false ? tokens : { ...tokens, expires_in: undefined, expires_at: new Date(Date.now() - 5_000).toISOString() }) },
  );
  assert.equal(r.code, 0, r.stderr);
  const agent = await runBroker(['agent', 'add', 'bot', '--conn', 'corp'], { env: env({}) });
  assert.equal(agent.code, 0, agent.stderr);
  return { env, key: agent.stdout.trim(), home };
}

async function callMe(proxyVariables: Record<string, string>): Promise<{ tunnels: string[]; home: string }> {
  const { env, key, home } = await expiredHome();
  const serve = await startServe(env(proxyVariables));
  const before = proxy.tunnels().length;
  try {
    const answer = await fetch(`${serve.url}/corp/me`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(answer.status, 200, await answer.clone().text());
    assert.equal(((await answer.json()) as { sub: string }).sub, alice);
  } finally {
    assert.equal((await serve.stop()).code, 0);
  }
  return { tunnels: proxy.tunnels().slice(before), home };
}

describe('broker serve behind a corporate proxy', () => {
  it('HTTPS_PROXY: the refresh and the proxied call go through CONNECT tunnels to the provider', async () => {
    const { tunnels, home } = await callMe({ HTTPS_PROXY: proxy.url });
    assert.ok(tunnels.length >= 2, `tunnels: ${tunnels.join(', ')}`);
    assert.deepEqual([...new Set(tunnels)], [`${ip}:${remote.port}`]);
    assert.deepEqual(proxy.plainRequests(), [], 'nothing crossed the proxy in clear');
    const events = readEvents(home);
    assert.ok(events.some((e) => e.event === 'refresh' && e.outcome === 'ok'));
    assert.ok(events.some((e) => e.event === 'request' && e.status === 200 && e.agent === 'bot'));
  });

  it('the provider\'s host in NO_PROXY: straight to the provider, no tunnel', async () => {
    const { tunnels } = await callMe({ HTTPS_PROXY: proxy.url, NO_PROXY: `localhost,${ip}` });
    assert.deepEqual(tunnels, []);
  });

  it('no proxy variable: straight to the provider over https', async () => {
    const { tunnels } = await callMe({});
    assert.deepEqual(tunnels, []);
  });

  it('a proxy that is down: the proxied call itself fails (502), so the proxy really is on the API path', async () => {
    const { env, key, home } = await expiredHome({ expired: false });
    const serve = await startServe(env({ HTTPS_PROXY: 'http://127.0.0.1:9' }));
    try {
      const answer = await fetch(`${serve.url}/corp/me`, { headers: { authorization: `Bearer ${key}` } });
      assert.equal(answer.status, 502);
      assert.equal(((await answer.json()) as { error: string }).error, 'upstream_unreachable');
    } finally {
      await serve.stop();
    }
    const failed = readEvents(home).filter((e) => e.event === 'request').at(-1);
    assert.deepEqual([failed?.outcome, failed?.reason, failed?.target], ['failed', 'upstream-unreachable', `${ip}:${remote.port}`]);
  });
});
