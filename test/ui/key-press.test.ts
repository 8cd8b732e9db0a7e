import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { typedKeys } from '../../src/ui/key-press.js';

describe('typedKeys: what one read of the terminal held, as the keys it was', () => {
  it('one key stays as Ink parsed it', () => {
    assert.deepEqual(typedKeys('q', {}), [['q', {}]]);
    assert.deepEqual(typedKeys('', { return: true }), [['', { return: true }]]);
    assert.deepEqual(typedKeys('é', {}), [['é', {}]]);
  });

  it('keys typed faster than they were read, a secret and its Enter included, come apart', () => {
    assert.deepEqual(typedKeys('s3\r', {}), [['s', {}], ['3', {}], ['', { return: true }]]);
    assert.deepEqual(typedKeys('ab\n', {}), [['a', {}], ['b', {}], ['', { return: true }]]);
    assert.deepEqual(typedKeys('ab\u007f', {}), [['a', {}], ['b', {}], ['', { backspace: true }]]);
  });

  it('an escape sequence, or a key with its own flags, stays whole', () => {
    assert.deepEqual(typedKeys('\u001b[A', { upArrow: true }), [['\u001b[A', { upArrow: true }]]);
    assert.deepEqual(typedKeys('ab', { ctrl: true }), [['ab', { ctrl: true }]]);
    assert.deepEqual(typedKeys('ab', { meta: true }), [['ab', { meta: true }]]);
  });
});
