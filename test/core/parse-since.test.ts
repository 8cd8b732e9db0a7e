import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSince, sinceStart } from '../../src/core/parse-since.js';

describe('parseSince', () => {
  const good: Array<[string, number]> = [
    ['90s', 90 * 1000],
    ['30m', 30 * 60 * 1000],
    ['1h', 60 * 60 * 1000],
    ['24h', 24 * 60 * 60 * 1000],
    ['7d', 7 * 24 * 60 * 60 * 1000],
    ['2w', 14 * 24 * 60 * 60 * 1000],
    [' 7D ', 7 * 24 * 60 * 60 * 1000],
  ];
  for (const [text, ms] of good) {
    it(`reads "${text}"`, () => assert.deepEqual(parseSince(text), { all: false, ms }));
  }

  it('reads "all"', () => assert.deepEqual(parseSince('all'), { all: true }));

  for (const text of ['', '24', 'h', '0h', '-1h', '1.5h', '1y', '1h30m', 'forever', '9999999d']) {
    it(`rejects "${text}"`, () => assert.equal(parseSince(text), null));
  }
});

describe('sinceStart', () => {
  const now = new Date('2026-11-22T03:00:00.000Z');
  it('subtracts the duration from now', () => {
    assert.equal(sinceStart({ all: false, ms: 3_600_000 }, now)?.toISOString(), '2026-11-22T02:00:00.000Z');
  });
  it('gives null (the whole log) for all', () => assert.equal(sinceStart({ all: true }, now), null));
});
