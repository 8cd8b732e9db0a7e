import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientSecretRotated } from '../../../src/core/rules/client-secret-rotated.js';
import { at, conn, check, found, minute, type FactsInput } from '../../support/facts.js';

const worked = conn({ name: 'c', provider: 'oidc', issuer: 'https://id.example', clientSecretSource: 'env:SECRET', clientSecretFp: 'aaaaaaaaaaaa', refreshTokenFp: 'r' });
const neverWorked = conn({ name: 'c', provider: 'oidc', issuer: 'https://id.example', clientSecretSource: 'env:SECRET', refreshTokenFp: 'r' });
const fail = (offset: number, error = 'invalid_client', description = 'client authentication failed', status = 401) => ({ ts: at(offset), event: 'refresh', conn: 'c', trigger: 'proactive', outcome: 'error', status, error, error_description: description, rt_fp: 'r' });
const okRefresh = (offset: number) => ({ ts: at(offset), event: 'refresh', conn: 'c', trigger: 'proactive', outcome: 'ok', status: 200, rt_fp: 'r', new_rt_fp: 'r2' });

const table: Array<[string, FactsInput, string[]]> = [
  ['invalid_client after the secret worked → rotated', { connections: [worked], events: [fail(-10 * minute)] }, ['c critical']],
  ['invalid_client after an earlier ok refresh in the log → rotated', { connections: [neverWorked], events: [okRefresh(-60 * minute), fail(-10 * minute)] }, ['c critical']],
  ['invalid_client on a client that never worked → misconfiguration, not rotation', { connections: [neverWorked], events: [fail(-10 * minute)] }, []],
  ['fixed since: a later ok refresh → resolved', { connections: [worked], events: [fail(-20 * minute), okRefresh(-10 * minute)] }, ['c critical resolved']],
  ['a failing token-endpoint probe counts too', { connections: [worked], events: [{ ts: at(-5 * minute), event: 'probe', conn: 'c', check: 'token-endpoint', outcome: 'error', status: 401, error: 'invalid_client' }] }, ['c critical']],
  ['invalid_grant is not a client problem', { connections: [worked], events: [fail(-10 * minute, 'invalid_grant', 'grant request is invalid', 400)] }, []],
  ['AADSTS700024 (clock) under invalid_client is not a secret problem', { connections: [conn({ ...worked, provider: 'microsoft', issuer: undefined })], events: [fail(-10 * minute, 'invalid_client', 'AADSTS700024: Client assertion is not within its valid time range.')] }, []],
];

describe('client-secret-rotated', () => {
  for (const [name, input, expected] of table) it(name, () => assert.deepEqual(found(clientSecretRotated, input), expected));

  it('compares the loaded secret with the one that last worked, by fingerprint', () => {
    const input = { connections: [worked], events: [{ ts: at(-11 * minute), event: 'secret', conn: 'c', source: 'env:SECRET', fp: 'bbbbbbbbbbbb', previous_fp: 'aaaaaaaaaaaa' }, fail(-10 * minute)] };
    const [f] = check(clientSecretRotated, input);
    assert.match(f!.summary, /a different secret \(fp bbbbbbbbbbbb\) was loaded from env:SECRET at 08:49:00 UTC; the last one that worked was fp aaaaaaaaaaaa/);
    assert.deepEqual(f!.evidence.map((e) => e.line), [1, 2]);
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
});
