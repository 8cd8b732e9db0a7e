import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatLogLine } from '../../src/output/log-text.js';
import { stripControl } from '../../src/core/strip-control.js';

// Issue 11 item 14: a bidi override (U+202E) from a log line reached the terminal, where it makes
// text read in another order than it is stored.

const bidi = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200e', '\u200f', '\u061c'];

describe('stripControl', () => {
  for (const ch of bidi) {
    it(`replaces U+${ch.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')}`, () => {
      assert.equal(stripControl(`/repos/${ch}gpj.exe`), '/repos/�gpj.exe');
    });
  }
  it('still replaces C0, C1 and DEL, turns tabs into spaces, and keeps other text as it is', () => {
    assert.equal(stripControl('a\u001b[2Jb\u009bc\u007fd\te'), 'a�[2Jb�c�d e');
    assert.equal(stripControl('acmé → ünïcode 日本 😀 \u200d'), 'acmé → ünïcode 日本 😀 \u200d');
  });
  it('keeps a bidi override from a log line off the terminal', () => {
    const event = { ts: '2026-11-22T09:00:00.000Z', event: 'request', conn: 'gh', method: 'GET', target: 'api.github.com', path: '/x/\u202egpj.exe', status: 200 } as const;
    const text = formatLogLine({ event, file: 'events.jsonl', line: 1, t: 0 });
    assert.match(text, /gpj\.exe/);
    assert.ok(!/[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/.test(text), text);
  });
});
