import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agentKeyFp, agentKeyFrom, agentKeyHash, brokerKeyOf } from '../../src/core/agent-keys.js';

describe('agent keys', () => {
  it('brk_ + 43 base64url characters from 32 random bytes; hashed with sha256, fingerprinted as its first 12 hex', () => {
    const key = agentKeyFrom(new Uint8Array(32).fill(7));
    assert.match(key, /^brk_[A-Za-z0-9_-]{43}$/);
    const hash = agentKeyHash(key);
    assert.match(hash, /^[0-9a-f]{64}$/);
    assert.equal(agentKeyFp({ keyHash: hash }), hash.slice(0, 12));
    assert.throws(() => agentKeyFrom(new Uint8Array(16)), /32 random bytes/);
  });

  const cases: Array<[string | undefined, string | undefined]> = [
    ['Bearer brk_abc', 'brk_abc'],
    ['bearer brk_abc', 'brk_abc'],
    ['token brk_abc', 'brk_abc'],
    ['Token  brk_abc ', 'brk_abc'],
    [undefined, undefined],
    ['', undefined],
    ['Bearer ghs_realtoken', undefined],
    ['Basic YnJrX2FiYzo=', undefined],
    ['Bearer brk_a brk_b', undefined],
    ['brk_abc', undefined],
  ];
  for (const [header, key] of cases) {
    it(`Authorization ${JSON.stringify(header)} → ${key ?? 'no key'}`, () => assert.equal(brokerKeyOf(header), key));
  }
});
