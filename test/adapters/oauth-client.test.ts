import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startGithubStandin, type GithubStandin } from '../../fixtures/providers/github-standin.js';
import { startOidcProvider, type RunningOidcProvider } from '../../fixtures/providers/oidc-provider-server.js';
import { OAuthError, isLoopbackUrl, oauthConfiguration, refreshGrant, serverForConnection } from '../../src/adapters/oauth-client.js';
import { BrokerError } from '../../src/core/broker-error.js';
import type { Connection } from '../../src/core/state-schema.js';

const connection = (fields: Partial<Connection>): Connection =>
  ({ name: 'c', provider: 'oidc', kind: 'service', scopes: [], createdAt: '2026-11-22T03:00:00.000Z', generation: 0, acknowledgements: [], ...fields }) as Connection;

async function failureOf(promise: Promise<unknown>): Promise<OAuthError['failure']> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof OAuthError, `expected an OAuthError, got ${String(err)}`);
    return err.failure;
  }
  throw new Error('expected a failure');
}

describe('isLoopbackUrl: plain http only for the local providers', () => {
  const rows: Array<[string, boolean]> = [
    ['http://127.0.0.1:8080/', true],
    ['http://127.1.2.3/', true],
    ['http://[::1]:9000/', true],
    ['http://localhost:3000/', true],
    ['http://example.com/', false],
    ['http://127.0.0.1.example.com/', false],
    ['http://10.0.0.1/', false],
    ['http://[::2]/', false],
  ];
  for (const [url, loopback] of rows) it(`${url} → ${loopback}`, () => assert.equal(isLoopbackUrl(url), loopback));

  it('refuses an http:// issuer on any other host before sending anything', async () => {
    await assert.rejects(oauthConfiguration({ issuer: 'http://idp.example.com', discovery: true }, { clientId: 'x', clientSecret: 'canary-secret-0a1b' }), (err: unknown) => {
      assert.ok(err instanceof BrokerError);
      assert.match(err.message, /non-loopback/);
      assert.ok(!err.message.includes('canary-secret-0a1b'));
      return true;
    });
  });
});

describe('serverForConnection', () => {
  it('discovers oidc from the issuer, and keeps a static provider\'s paths on a named issuer (stand-in, Enterprise)', () => {
    assert.deepEqual(serverForConnection(connection({ issuer: 'http://127.0.0.1:1234' })), { issuer: 'http://127.0.0.1:1234', discovery: true });
    const gh = serverForConnection(connection({ provider: 'github', issuer: 'http://127.0.0.1:5678' }));
    assert.equal(gh.tokenEndpoint, 'http://127.0.0.1:5678/login/oauth/access_token');
    assert.equal(gh.deviceAuthorizationEndpoint, 'http://127.0.0.1:5678/login/device/code');
    assert.equal(serverForConnection(connection({ provider: 'github' })).tokenEndpoint, 'https://github.com/login/oauth/access_token');
    assert.throws(() => serverForConnection(connection({ provider: 'oidc' })), /no issuer/);
  });
});

describe('errors from the token endpoint, without secrets', () => {
  let op: RunningOidcProvider;
  let gh: GithubStandin;
  before(async () => {
    op = await startOidcProvider({ clientSecret: 'canary-oidc-secret-77c1' });
    gh = await startGithubStandin();
  });
  after(async () => {
    await op.close();
    await gh.close();
  });

  it('oidc-provider: an unknown refresh token is 400 invalid_grant; a wrong secret is 401 invalid_client', async () => {
    const good = await oauthConfiguration({ issuer: op.issuer, discovery: true }, { clientId: op.clientId, clientSecret: op.clientSecret() });
    const unknown = await failureOf(refreshGrant(good, 'canary-refresh-token-3f9d'));
    assert.deepEqual([unknown.status, unknown.error], [400, 'invalid_grant']);
    const wrong = await oauthConfiguration({ issuer: op.issuer, discovery: true }, { clientId: op.clientId, clientSecret: 'canary-wrong-secret-1d2e' });
    const refused = await failureOf(refreshGrant(wrong, 'canary-refresh-token-3f9d'));
    assert.deepEqual([refused.status, refused.error, refused.error_description], [401, 'invalid_client', 'client authentication failed']);
    const text = JSON.stringify([unknown, refused]);
    for (const canary of ['canary-refresh-token-3f9d', 'canary-wrong-secret-1d2e', 'canary-oidc-secret-77c1']) assert.ok(!text.includes(canary));
  });

  it('GitHub: HTTP 200 error bodies become errors with their own words and the real status', async () => {
    gh.addOAuthApp('Iv1.oauth-test', 'canary-gh-secret-55aa', { expiringTokens: true });
    const pair = gh.issueUserToken('octocat', 'Iv1.oauth-test');
    const server = serverForConnection(connection({ provider: 'github', issuer: gh.url }));
    const config = await oauthConfiguration(server, { clientId: 'Iv1.oauth-test', clientSecret: 'canary-gh-secret-55aa' });

    const rotated = await refreshGrant(config, pair.refresh_token ?? '');
    assert.ok(rotated.access_token && rotated.refresh_token && rotated.refresh_token !== pair.refresh_token);
    const reused = await failureOf(refreshGrant(config, pair.refresh_token ?? ''));
    assert.deepEqual([reused.status, reused.error], [200, 'bad_refresh_token']);

    const wrong = await oauthConfiguration(server, { clientId: 'Iv1.oauth-test', clientSecret: 'canary-gh-wrong-0000' });
    const refused = await failureOf(refreshGrant(wrong, rotated.refresh_token ?? ''));
    assert.deepEqual([refused.status, refused.error], [200, 'incorrect_client_credentials']);
    const text = JSON.stringify([reused, refused]);
    for (const canary of ['canary-gh-secret-55aa', 'canary-gh-wrong-0000', pair.refresh_token ?? '', rotated.refresh_token ?? '']) assert.ok(!text.includes(canary));
  });

  it('a provider that is not there is a network_error, not a crash', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const issuer = `http://127.0.0.1:${port}`;
    const config = await oauthConfiguration({ issuer, discovery: false, tokenEndpoint: `${issuer}/token` }, { clientId: 'x', clientSecret: 'y' });
    const failure = await failureOf(refreshGrant(config, 'canary-refresh-token-3f9d'));
    assert.equal(failure.error, 'network_error');
    assert.equal(failure.error_description, 'ECONNREFUSED');
  });
});
