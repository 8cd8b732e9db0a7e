import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tokenStoreDamaged } from '../../../src/core/rules/token-store-damaged.js';
import type { StoreStatus } from '../../../src/core/findings.js';
import { conn, facts, found } from '../../support/facts.js';

const gh = conn({ name: 'gh', provider: 'github' });
const slack = conn({ name: 'slack', provider: 'slack' });
const store = (fields: Partial<StoreStatus>): StoreStatus => ({ backend: 'keychain', reason: 'default', available: true, ...fields });

describe('token-store-damaged', () => {
  const table: Array<[string, StoreStatus, string[]]> = [
    ['nothing damaged', store({ damaged: [] }), []],
    ['no damaged field (an older store status)', store({}), []],
    ['one damaged entry of a connection', store({ damaged: ['gh'] }), ['gh error']],
    ['two damaged entries', store({ damaged: ['gh', 'slack'] }), ['gh error', 'slack error']],
    ['a damaged entry no connection owns is no finding', store({ damaged: ['orphan'] }), []],
    ['an unavailable store is keychain-unavailable, not this', store({ available: false, problem: 'locked', damaged: ['gh'] }), []],
  ];
  for (const [label, status, expected] of table) {
    it(label, () => assert.deepEqual(found(tokenStoreDamaged, { connections: [gh, slack], store: status }), expected));
  }
  it('names the store and offers the re-login', () => {
    const [finding] = tokenStoreDamaged.check(facts({ connections: [gh], store: store({ backend: 'file', damaged: ['gh'] }) }));
    assert.equal(finding?.conn, 'gh');
    assert.match(finding?.summary ?? '', /token store \(file\) is damaged/);
    assert.deepEqual(finding?.actions.map((a) => a.action), ['relogin']);
    assert.equal(finding?.evidence[0]?.file, 'token store');
  });
});
