import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keychainUnavailable } from '../../../src/core/rules/keychain-unavailable.js';
import { at, check, conn, expectFindings, expecting, minute, type Expected, type RuleCase } from '../../support/facts.js';

// The token store cannot be read: about the store, not a connection, and cited by name. It is true now or not: nothing resolves it.

const gh = conn({ name: 'gh', provider: 'github', account: 'bot' });
const unavailable = (summary?: string | RegExp): Expected => ({ ...expecting('keychain-unavailable', 'critical')(null, 'active', [0], summary), files: ['token store'] });
const locked = { backend: 'keychain' as const, reason: 'default', available: false, problem: 'no Secret Service' };

const table: RuleCase[] = [
  { name: 'store cannot be read', input: { connections: [gh], store: locked }, expected: [unavailable('The token store (keychain) cannot be read, so 1 connection cannot hand out tokens: no Secret Service')] },
  { name: 'store fine', input: { connections: [gh] }, expected: [] },
  { name: 'the file store, unavailable: counted connections, no reason given', input: { connections: [gh, conn({ name: 'b', provider: 'slack' }), conn({ name: 'c', provider: 'linear' })], store: { backend: 'file', reason: 'BROKER_STORE=file', available: false } }, expected: [unavailable('The token store (file) cannot be read, so 3 connections cannot hand out tokens: no reason given')] },
  { name: 'the PostgreSQL store, unavailable: store-unavailable says so, not this', input: { connections: [gh], store: { backend: 'postgres', reason: 'BROKER_STORE=postgres: broker@db:5432/broker', available: false, problem: 'connection refused' } }, expected: [] },
  { name: 'the log does not matter', input: { connections: [gh], events: [{ ts: at(-minute), event: 'token', conn: 'gh', at_fp: 'x', generation: 1 }] }, expected: [] },
  {
    name: 'hostile values (escape sequences, a 100,000-character problem) → still the finding, printable evidence',
    input: { connections: [gh], store: { backend: 'keychain', reason: '\u001b[2J'.repeat(1000), available: false, problem: `\u001b]0;pwned\u0007${'p'.repeat(100_000)}` } },
    expected: [unavailable()],
  },
];

describe('keychain-unavailable', () => {
  for (const { name, input, expected } of table) it(name, () => void expectFindings(keychainUnavailable, input, expected));

  it('offers the file store for the keychain, nothing for the file store', () => {
    assert.deepEqual(check(keychainUnavailable, { connections: [gh], store: locked })[0]!.actions.map((a) => a.action), ['use-file-store']);
    assert.deepEqual(check(keychainUnavailable, { connections: [gh], store: { ...locked, backend: 'file' } })[0]!.actions, []);
  });
  it('cites the store as it is now', () => {
    const [f] = check(keychainUnavailable, { connections: [gh], store: locked });
    assert.deepEqual(f!.evidence, [{ file: 'token store', line: 0, ts: '2026-11-22T09:00:00.000Z', text: 'backend=keychain reason=default problem=no Secret Service' }]);
  });
});
