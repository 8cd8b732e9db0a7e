import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tokenStoreDamaged } from '../../../src/core/rules/token-store-damaged.js';
import type { StoreStatus } from '../../../src/core/findings.js';
import { check, conn, expectFindings, expecting, type RuleCase } from '../../support/facts.js';

// The store opens, but one connection's entry does not open or parse: that connection cannot hand out tokens.

const damagedEntry = expecting('token-store-damaged', 'error');
const gh = conn({ name: 'gh', provider: 'github' });
const slack = conn({ name: 'slack', provider: 'slack' });
const store = (fields: Partial<StoreStatus>): StoreStatus => ({ backend: 'keychain', reason: 'default', available: true, ...fields });
const inStore = [{ ...damagedEntry('gh', 'active', [0]), files: ['token store'] }];

const table: RuleCase[] = [
  { name: 'nothing damaged', input: { connections: [gh, slack], store: store({ damaged: [] }) }, expected: [] },
  { name: 'no damaged field (an older store status)', input: { connections: [gh, slack], store: store({}) }, expected: [] },
  { name: 'one damaged entry of a connection', input: { connections: [gh, slack], store: store({ damaged: ['gh'] }) }, expected: inStore },
  { name: 'two damaged entries', input: { connections: [gh, slack], store: store({ damaged: ['gh', 'slack'] }) }, expected: [...inStore, { ...damagedEntry('slack', 'active', [0]), files: ['token store'] }] },
  { name: 'a damaged entry no connection owns is no finding', input: { connections: [gh, slack], store: store({ damaged: ['orphan'] }) }, expected: [] },
  { name: 'an unavailable store is keychain-unavailable, not this', input: { connections: [gh, slack], store: store({ available: false, problem: 'locked', damaged: ['gh'] }) }, expected: [] },
];

describe('token-store-damaged', () => {
  for (const { name, input, expected } of table) it(name, () => void expectFindings(tokenStoreDamaged, input, expected));
  it('names the store and offers the re-login', () => {
    const [finding] = check(tokenStoreDamaged, { connections: [gh], store: store({ backend: 'file', damaged: ['gh'] }) });
    assert.match(finding?.summary ?? '', /token store \(file\) is damaged/);
    assert.deepEqual(finding?.actions.map((a) => a.action), ['relogin']);
  });
});
