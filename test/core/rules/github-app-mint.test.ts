import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { at, conn, diagnoseAll, hour, minute } from '../../support/facts.js';

// A GitHub App has no refresh token: a failed mint is about the app's key or the installation, never a re-login.
const app = conn({ name: 'app', provider: 'github-app', appId: 1, installation: { id: 7, account: 'acme' }, lastRefreshAt: at(-hour) });
const mint = (offset: number, status: number, error: string) => ({ ts: at(offset), event: 'refresh', conn: 'app', trigger: 'proactive', outcome: 'error', status, error, generation: 4 });

describe('github-app mint failures', () => {
  const table: Array<[string, Record<string, unknown>, string[], RegExp]> = [
    ['Bad credentials: the app key was refused → client-secret-rotated, no actions', mint(-minute, 401, 'Bad credentials'), ['client-secret-rotated app critical'], /GitHub refuses the app's JWT since 08:59:00 UTC \(Bad credentials\): the app's private key was deleted or regenerated/],
    ['A JSON web token could not be decoded → same', mint(-minute, 401, 'A JSON web token could not be decoded'), ['client-secret-rotated app critical'], /private key/],
    ['installation suspended → refresh-token-revoked naming the owner, no re-login', mint(-minute, 403, 'This installation has been suspended'), ['refresh-token-revoked app critical'], /an owner of acme must unsuspend or reinstall the app/],
    ['JWT clock error → clock-skew only', mint(-minute, 401, "'Expiration time' claim ('exp') is too far in the future"), ['clock-skew app error'], /rejected a time-stamped credential/],
  ];
  for (const [name, event, expected, summary] of table) {
    it(name, () => {
      const findings = diagnoseAll({ connections: [app], events: [event] });
      assert.deepEqual(findings.map((f) => `${f.id} ${f.conn} ${f.severity}`), expected);
      assert.match(findings[0]!.summary, summary);
      assert.ok(findings.every((f) => !f.actions.some((a) => a.action === 'relogin')));
    });
  }
});

describe('the broker could not load the client secret', () => {
  it('is a client-secret finding that says where it looked', () => {
    const oidc = conn({ name: 'o', provider: 'oidc', issuer: 'https://id.example', clientSecretSource: 'env:OIDC_SECRET', clientSecretFp: 'aaaaaaaaaaaa', refreshTokenFp: 'r' });
    const findings = diagnoseAll({ connections: [oidc], events: [{ ts: at(-minute), event: 'refresh', conn: 'o', trigger: 'proactive', outcome: 'error', error: 'client_secret_unavailable', error_description: 'environment variable OIDC_SECRET is not set', rt_fp: 'r' }] });
    assert.deepEqual(findings.map((f) => f.id), ['client-secret-rotated']);
    assert.equal(findings[0]!.summary, 'o: the client secret could not be loaded from env:OIDC_SECRET since 08:59:00 UTC: environment variable OIDC_SECRET is not set');
    assert.deepEqual(findings[0]!.actions.map((a) => a.action), ['reload-secret', 'set-secret']);
  });
});
