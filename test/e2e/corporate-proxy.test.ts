import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, setGlobalDispatcher } from 'undici';
import { mintTokens, startOidcProvider, type RunningOidcProvider } from '../../fixtures/providers/oidc-provider-server.js';
import { exitCodes } from '../../src/core/exit-codes.js';
import { startConnectProxy, type ConnectProxy } from '../support/connect-proxy.js';
import { readEvents } from '../support/home-files.js';
import { runBroker } from '../support/run-broker.js';
import { tempHome } from '../support/temp-home.js';
import { nonLoopbackAddress, selfSignedCertificate } from '../support/tls-cert.js';

// Issue 8 "must show": with a local HTTP CONNECT proxy as the corporate proxy, the broker's own
// outbound calls (discovery, refresh, broker api) go through it, and with the provider's host in
// NO_PROXY they don't. The real oidc-provider serves https on this machine's non-loopback address:
// a loopback target is never proxied (a proxy's 127.0.0.1 is another machine, and plain http there
// would hand the token to the proxy in clear), so a provider on 127.0.0.1 could not show the proxy.

const alice = 'alice@example.test';
const secret = 'fake-proxy-client-secret-4b1e';
const ip = nonLoopbackAddress();
const certificate = selfSignedCertificate(tempHome('broker-proxy-tls-'), ip);
// This test process logs in headlessly against the https provider, so it trusts the certificate too;
// the broker children get it through NODE_EXTRA_CA_CERTS, as a corporate CA would be given.
setGlobalDispatcher(new Agent({ connect: { ca: certificate.cert } }));

let remote: RunningOidcProvider;
let local: RunningOidcProvider;
let proxy: ConnectProxy;
before(async () => {
  remote = await startOidcProvider({ host: ip, tls: certificate, clientSecret: secret });
  local = await startOidcProvider({ clientSecret: secret });
  proxy = await startConnectProxy();
});
after(async () => {
  await Promise.all([remote.close(), local.close(), proxy.close()]);
});

const noProxyVariables = { HTTPS_PROXY: '', https_proxy: '', HTTP_PROXY: '', http_proxy: '', NO_PROXY: '', no_proxy: '' };

async function connectedHome(op: RunningOidcProvider): Promise<{ env: (proxyVariables: Record<string, string>) => Record<string, string>; home: string }> {
  const home = tempHome();
  const env = (proxyVariables: Record<string, string>) => ({ BROKER_HOME: home, OIDC_SECRET: secret, NODE_EXTRA_CA_CERTS: certificate.certPath, ...noProxyVariables, ...proxyVariables });
  const tokens = await mintTokens(op.issuer, { clientId: op.clientId, clientSecret: secret }, alice);
  const r = await runBroker(
    ['connect', 'c1', '--provider', 'oidc', '--issuer', op.issuer, '--client-id', op.clientId, '--client-secret-from', 'env:OIDC_SECRET', '--account', alice, '--api-base-url', op.issuer, '--token-stdin'],
    { env: env({}), input: JSON.stringify(tokens) },
  );
  assert.equal(r.code, 0, r.stderr);
  return { env, home };
}

async function refreshed(env: Record<string, string>): Promise<void> {
  const r = await runBroker(['refresh', 'c1', '--json'], { env });
  assert.equal(r.code, exitCodes.ok, r.stdout + r.stderr);
  assert.equal(JSON.parse(r.stdout).outcome, 'ok');
}

const refreshGrants = (op: RunningOidcProvider) => op.stats().grants.refresh_token?.ok ?? 0;

describe('the corporate proxy (HTTPS_PROXY / HTTP_PROXY / NO_PROXY)', () => {
  it('HTTPS_PROXY: discovery, the refresh and broker api go through CONNECT tunnels to the provider', async () => {
    const { env } = await connectedHome(remote);
    const before = { tunnels: proxy.tunnels().length, grants: refreshGrants(remote) };
    await refreshed(env({ HTTPS_PROXY: proxy.url }));
    const afterRefresh = proxy.tunnels().slice(before.tunnels);
    assert.ok(afterRefresh.length >= 1, 'no tunnel was opened for the refresh');
    assert.deepEqual([...new Set(afterRefresh)], [`${ip}:${remote.port}`]);
    assert.equal(refreshGrants(remote), before.grants + 1, 'the refresh reached the provider (through the tunnel)');

    const me = await runBroker(['api', 'c1', '/me'], { env: env({ https_proxy: proxy.url }) });
    assert.equal(me.code, exitCodes.ok, me.stderr);
    assert.equal(JSON.parse(me.stdout).sub, alice);
    assert.ok(proxy.tunnels().length > before.tunnels + afterRefresh.length, 'broker api did not use the proxy');
    assert.deepEqual(proxy.plainRequests(), []);
  });

  it('HTTP_PROXY alone is used for https targets too (undici\'s EnvHttpProxyAgent reading)', async () => {
    const { env } = await connectedHome(remote);
    const before = proxy.tunnels().length;
    await refreshed(env({ HTTP_PROXY: proxy.url }));
    assert.ok(proxy.tunnels().length > before);
  });

  it('the provider\'s host in NO_PROXY: the refresh goes direct, no tunnel', async () => {
    const { env } = await connectedHome(remote);
    const before = { tunnels: proxy.tunnels().length, grants: refreshGrants(remote) };
    await refreshed(env({ HTTPS_PROXY: proxy.url, NO_PROXY: `localhost,${ip}` }));
    assert.equal(proxy.tunnels().length, before.tunnels);
    assert.equal(refreshGrants(remote), before.grants + 1);
  });

  it('a proxy that is down makes the refresh fail as a network error: the proxy really is on the path', async () => {
    const { env, home } = await connectedHome(remote);
    const r = await runBroker(['refresh', 'c1', '--json'], { env: env({ HTTPS_PROXY: 'http://127.0.0.1:9' }) });
    assert.equal(r.code, exitCodes.failed, r.stderr);
    assert.match(JSON.parse(r.stdout).error, /network_error|ECONNREFUSED|discovery|fetch failed/);
    assert.ok(readEvents(home).some((e) => e.event === 'refresh' && e.outcome === 'error'));
  });

  it('a loopback provider on plain http is never proxied, whatever HTTP_PROXY says: the token never crosses the proxy in clear', async () => {
    const { env } = await connectedHome(local);
    const before = { tunnels: proxy.tunnels().length, grants: refreshGrants(local) };
    await refreshed(env({ HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url }));
    assert.equal(refreshGrants(local), before.grants + 1);
    assert.equal(proxy.tunnels().length, before.tunnels);
    assert.deepEqual(proxy.plainRequests(), []);
  });
});
