import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelayMs, lastingFailureBackoff, passingFailureBackoff } from '../../src/core/backoff.js';

describe('backoffDelayMs', () => {
  it('doubles with each failure, between half and all of the ceiling, never past the cap', () => {
    const policy = { baseMs: 1000, capMs: 10_000 };
    const ceilings = [1000, 2000, 4000, 8000, 10_000, 10_000];
    ceilings.forEach((ceiling, i) => {
      assert.equal(backoffDelayMs(i + 1, policy, () => 0), ceiling / 2, `failure ${i + 1}, least jitter`);
      assert.equal(backoffDelayMs(i + 1, policy, () => 1), ceiling, `failure ${i + 1}, most jitter`);
    });
  });

  it('a lasting failure waits longer than a passing one, and a huge count stays finite', () => {
    assert.ok(backoffDelayMs(1, lastingFailureBackoff, () => 0) > backoffDelayMs(1, passingFailureBackoff, () => 0));
    assert.equal(backoffDelayMs(10_000, lastingFailureBackoff, () => 1), lastingFailureBackoff.capMs);
  });
});
