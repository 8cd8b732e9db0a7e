import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoreStatus } from '../../../src/core/findings.js';
import { storeUnavailable } from '../../../src/core/rules/store-unavailable.js';
import { at, check, conn, expectFindings, expecting, minute, type Expected, type RuleCase } from '../../support/facts.js';

// The shared PostgreSQL store cannot be used: about the store, not a connection (the connections
// live in it), cited by name. It is true now or not: nothing resolves it.

const gh = conn({ name: 'gh', provider: 'github', account: 'bot' });
const unavailable = (summary?: string | RegExp): Expected => ({ ...expecting('store-unavailable', 'critical')(null, 'active', [0], summary), files: ['token store'] });
const reason = 'BROKER_STORE=postgres: broker@db.internal:5432/broker (AES-256-GCM, key from BROKER_PASSPHRASE)';
const down: StoreStatus = { backend: 'postgres', reason, available: false, problem: 'the PostgreSQL store broker@db.internal:5432/broker cannot be used (reading connections): nothing accepts connections there (connection refused)' };

const table: RuleCase[] = [
  {
    name: 'the database refuses connections',
    input: { connections: [], store: down },
    expected: [unavailable('The shared store cannot be used, so no connection, token or shared log can be read from any host: the PostgreSQL store broker@db.internal:5432/broker cannot be used (reading connections): nothing accepts connections there (connection refused)')],
  },
  { name: 'too slow: the timeout is the reason', input: { connections: [], store: { ...down, problem: 'the PostgreSQL store broker@db.internal:5432/broker cannot be used (reading connections): no answer within 5 s (connecting)' } }, expected: [unavailable(/no answer within 5 s \(connecting\)$/)] },
  { name: 'no reason given', input: { connections: [], store: { backend: 'postgres', reason, available: false } }, expected: [unavailable(/: no reason given$/)] },
  { name: 'the database answers', input: { connections: [gh], store: { backend: 'postgres', reason, available: true, damaged: [] } }, expected: [] },
  { name: 'an unavailable keychain is keychain-unavailable, not this', input: { connections: [gh], store: { backend: 'keychain', reason: 'default', available: false, problem: 'no Secret Service' } }, expected: [] },
  { name: 'an unavailable file store is keychain-unavailable, not this', input: { connections: [gh], store: { backend: 'file', reason: 'BROKER_STORE=file', available: false } }, expected: [] },
  { name: 'the log does not matter', input: { connections: [gh], events: [{ ts: at(-minute), event: 'token', conn: 'gh', at_fp: 'x', generation: 1 }], store: down }, expected: [unavailable()] },
  {
    name: 'hostile values (escape sequences, a 100,000-character problem) → still the finding, printable evidence',
    input: { connections: [], store: { backend: 'postgres', reason: '\u001b[2J'.repeat(1000), available: false, problem: `\u001b]0;pwned\u0007${'p'.repeat(100_000)}` } },
    expected: [unavailable()],
  },
];

describe('store-unavailable', () => {
  for (const { name, input, expected } of table) it(name, () => void expectFindings(storeUnavailable, input, expected));

  it('offers no action: the database has to answer first', () => {
    assert.deepEqual(check(storeUnavailable, { connections: [], store: down })[0]!.actions, []);
  });
  it('cites the store as it is now, naming the database but no password', () => {
    const [f] = check(storeUnavailable, { connections: [], store: down });
    assert.deepEqual(f!.evidence, [{ file: 'token store', line: 0, ts: '2026-11-22T09:00:00.000Z', text: `backend=postgres reason=${reason} problem=${down.problem}` }]);
  });
});
