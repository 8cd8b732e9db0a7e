import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientSecretRotated } from '../../../src/core/rules/client-secret-rotated.js';
import { at, check, conn, day, diagnoseAll, expectFindings, expecting, hour, minute, type RuleCase } from '../../support/facts.js';

// The client was refused after it had worked: its secret (or an app's key) was rotated, expired or could not be loaded.

const rotated = expecting('client-secret-rotated', 'critical');
const worked = conn({ name: 'c', provider: 'oidc', issuer: 'https://id.example', clientSecretSource: 'env:SECRET', clientSecretFp: 'aaaaaaaaaaaa', refreshTokenFp: 'r' });
const neverWorked = conn({ name: 'c', provider: 'oidc', issuer: 'https://id.example', clientSecretSource: 'env:SECRET', refreshTokenFp: 'r' });
const fail = (offset: number, error = 'invalid_client', description = 'client authentication failed', status = 401) => ({ ts: at(offset), event: 'refresh', conn: 'c', trigger: 'proactive', outcome: 'error', status, error, error_description: description, rt_fp: 'r' });
const okRefresh = (offset: number) => ({ ts: at(offset), event: 'refresh', conn: 'c', trigger: 'proactive', outcome: 'ok', status: 200, rt_fp: 'r', new_rt_fp: 'r2' });
const secret = (offset: number, fp: string, source = 'env:SECRET') => ({ ts: at(offset), event: 'secret', conn: 'c', source, fp, previous_fp: 'aaaaaaaaaaaa' });
const probe = (offset: number, outcome: string, more: Record<string, unknown> = {}) => ({ ts: at(offset), event: 'probe', conn: 'c', check: 'token-endpoint', outcome, ...more });
const app = conn({ name: 'app', provider: 'github-app', appId: 1, installation: { id: 7, account: 'acme' }, lastRefreshAt: at(-hour) });

const table: RuleCase[] = [
  { name: 'invalid_client after the secret worked → rotated', input: { connections: [worked], events: [fail(-10 * minute)] }, expected: [rotated('c', 'active', [1])] },
  { name: 'invalid_client after an earlier ok refresh in the log → rotated', input: { connections: [neverWorked], events: [okRefresh(-60 * minute), fail(-10 * minute)] }, expected: [rotated('c', 'active', [2])] },
  { name: 'invalid_client on a client that never worked → named as wrong from the start, not as rotated (still broken)', input: { connections: [neverWorked], events: [fail(-10 * minute)] }, expected: [rotated('c', 'active', [1], /it has never accepted this client: the client id or the secret was wrong from the start$/)] },
  { name: 'fixed since: a later ok refresh → resolved', input: { connections: [worked], events: [fail(-20 * minute), okRefresh(-10 * minute)] }, expected: [rotated('c', 'resolved', [1, 2], /; resolved at 08:50:00 UTC: refresh ok by pid 100 on h1$/)] },
  { name: 'fixed since: a token-endpoint probe that passes → resolved', input: { connections: [worked], events: [fail(-20 * minute), probe(-5 * minute, 'ok')] }, expected: [rotated('c', 'resolved', [1, 2], /; resolved at 08:55:00 UTC: probe token-endpoint ok by pid 100 on h1$/)] },
  { name: 'a failing token-endpoint probe counts too', input: { connections: [worked], events: [probe(-5 * minute, 'error', { status: 401, error: 'invalid_client' })] }, expected: [rotated('c', 'active', [1])] },
  { name: 'an identity probe is not about the client', input: { connections: [worked], events: [{ ...probe(-5 * minute, 'error', { status: 401, error: 'invalid_client' }), check: 'identity' }] }, expected: [] },
  { name: 'invalid_grant is not a client problem', input: { connections: [worked], events: [fail(-10 * minute, 'invalid_grant', 'grant request is invalid', 400)] }, expected: [] },
  { name: 'AADSTS700024 (clock) under invalid_client is not a secret problem', input: { connections: [conn({ ...worked, provider: 'microsoft', issuer: undefined })], events: [fail(-10 * minute, 'invalid_client', 'AADSTS700024: Client assertion is not within its valid time range.')] }, expected: [] },
  { name: 'six failures: the first and the latest three are the evidence', input: { connections: [worked], events: [60, 50, 40, 30, 20, 10].map((m) => fail(-m * minute)) }, expected: [rotated('c', 'active', [1, 4, 5, 6], /since 08:00:00 UTC/)] },
  { name: 'a secret loaded after the latest failure is not the one that was refused', input: { connections: [worked], events: [fail(-10 * minute), secret(-5 * minute, 'bbbbbbbbbbbb')] }, expected: [rotated('c', 'active', [1], /env:SECRET still holds the secret that worked/)] },
  {
    name: 'github-app: Bad credentials on a mint → the app key was refused',
    input: { connections: [app], events: [{ ts: at(-minute), event: 'refresh', conn: 'app', trigger: 'proactive', outcome: 'error', status: 401, error: 'Bad credentials', generation: 4 }] },
    expected: [rotated('app', 'active', [1], "app: GitHub refuses the app's JWT since 08:59:00 UTC (Bad credentials): the app's private key was deleted or regenerated")],
  },
  {
    name: 'hostile values (escape sequences in the source, 100,000-character fields) → still the finding, printable evidence',
    input: { connections: [worked], events: [secret(-11 * minute, '\u001b[2J'.repeat(30_000), `file:/tmp/\u001b]0;pwned\u0007${'x'.repeat(100_000)}`), { ...fail(-10 * minute, 'invalid_client', '\u009b31m'.repeat(50_000)), error_code: 'e'.repeat(100_000), host: '\u0000' }] },
    expected: [rotated('c', 'active', [1, 2])],
  },
];

describe('client-secret-rotated', () => {
  for (const { name, input, expected } of table) it(name, () => void expectFindings(clientSecretRotated, input, expected));

  it('compares the loaded secret with the one that last worked, by fingerprint', () => {
    const input = { connections: [worked], events: [secret(-11 * minute, 'bbbbbbbbbbbb'), fail(-10 * minute)] };
    const [f] = expectFindings(clientSecretRotated, input, [rotated('c', 'active', [1, 2])]);
    assert.match(f!.summary, /a different secret \(fp bbbbbbbbbbbb\) was loaded from env:SECRET at 08:49:00 UTC; the last one that worked was fp aaaaaaaaaaaa/);
    assert.deepEqual(f!.evidence.map((e) => e.line), [1, 2]);
    assert.deepEqual(f!.actions.map((a) => a.action), ['reload-secret', 'set-secret']);
  });
  it('an unchanged source means the provider rotated it', () => {
    const [f] = check(clientSecretRotated, { connections: [worked], events: [fail(-10 * minute)] });
    assert.match(f!.summary, /env:SECRET still holds the secret that worked \(fp aaaaaaaaaaaa\): it was rotated at the provider/);
  });
  it('an expired secret says so', () => {
    const ms = conn({ ...worked, provider: 'microsoft', issuer: undefined });
    const [f] = check(clientSecretRotated, { connections: [ms], events: [fail(-10 * minute, 'invalid_client', 'AADSTS7000222: The provided client secret keys are expired.')] });
    assert.match(f!.summary, /\(AADSTS7000222\); the secret has expired at the provider/);
  });
  it('github-app: nothing to run, the key is replaced by hand', () => {
    const [f] = check(clientSecretRotated, { connections: [app], events: [{ ts: at(-minute), event: 'refresh', conn: 'app', trigger: 'proactive', outcome: 'error', status: 401, error: 'Bad credentials', generation: 4 }] });
    assert.deepEqual(f!.actions, []);
  });

  describe('the broker could not load the client secret', () => {
    it('is a client-secret finding that says where it looked', () => {
      const oidc = conn({ name: 'o', provider: 'oidc', issuer: 'https://id.example', clientSecretSource: 'env:OIDC_SECRET', clientSecretFp: 'aaaaaaaaaaaa', refreshTokenFp: 'r' });
      const input = { connections: [oidc], events: [{ ts: at(-minute), event: 'refresh', conn: 'o', trigger: 'proactive', outcome: 'error', error: 'client_secret_unavailable', error_description: 'environment variable OIDC_SECRET is not set', rt_fp: 'r' }] };
      const findings = diagnoseAll(input);
      assert.deepEqual(findings.map((f) => f.id), ['client-secret-rotated']);
      assert.equal(findings[0]!.summary, 'o: the client secret could not be loaded from env:OIDC_SECRET since 08:59:00 UTC: environment variable OIDC_SECRET is not set');
      assert.deepEqual(findings[0]!.actions.map((a) => a.action), ['reload-secret', 'set-secret']);
      expectFindings(clientSecretRotated, input, [rotated('o', 'active', [1])]);
    });
  });

  describe('a failure only state.json remembers', () => {
    it('is still a finding (lastError, nothing in the window), citing state.json', () => {
      const graph = conn({ name: 'graph', provider: 'microsoft', refreshTokenFp: 'r', clientSecretSource: 'env:GRAPH_SECRET', clientSecretFp: 'aaaaaaaaaaaa', lastRefreshAt: at(-3 * day), lastError: { at: at(-2 * day), status: 401, error: 'invalid_client', description: 'AADSTS7000215: Invalid client secret provided.', code: 'AADSTS7000215' } });
      const [finding, ...more] = diagnoseAll({ connections: [graph] });
      assert.deepEqual(more, []);
      assert.equal(finding?.id, 'client-secret-rotated');
      assert.equal(finding?.state, 'active');
      assert.equal(finding?.evidence[0]?.file, 'state.json lastError');
      assert.match(finding!.summary, /AADSTS7000215/);
      expectFindings(clientSecretRotated, { connections: [graph] }, [{ ...rotated('graph', 'active', [0]), files: ['state.json lastError'] }]);
    });
  });
});
