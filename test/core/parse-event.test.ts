import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventTime, parseEvent } from '../../src/core/parse-event.js';

describe('parseEvent', () => {
  it('keeps a broker line as it was written', () => {
    const line = '{"ts":"2026-11-22T03:01:12.345Z","event":"refresh","conn":"github-work","pid":4412,"host":"build-7","trigger":"reactive","outcome":"error","status":400,"error":"invalid_grant","rt_fp":"a1b2c3d4e5f6"}';
    assert.deepEqual(parseEvent(line), JSON.parse(line));
  });

  it('keeps unknown event names, for rules to ignore', () => {
    assert.deepEqual(parseEvent('{"ts":"2026-11-22T03:00:00Z","event":"heartbeat","extra":[1,2]}'), { ts: '2026-11-22T03:00:00Z', event: 'heartbeat', extra: [1, 2] });
  });

  it('accepts ISO times with an offset and tolerates CRLF endings', () => {
    assert.equal(parseEvent('{"ts":"2026-11-22T04:00:00.000+01:00","event":"token"}\r')?.event, 'token');
  });

  const rejected: Array<[string, string]> = [
    ['malformed JSON', '{"ts":"2026-11-22T03:00:00Z","event":"token"'],
    ['an array', '[{"ts":"2026-11-22T03:00:00Z","event":"token"}]'],
    ['a string', '"2026-11-22T03:00:00Z"'],
    ['null', 'null'],
    ['no ts', '{"event":"token"}'],
    ['a numeric ts', '{"ts":1795000000,"event":"token"}'],
    ['a ts that is not ISO', '{"ts":"yesterday","event":"token"}'],
    ['a ts without a zone', '{"ts":"2026-11-22T03:00:00","event":"token"}'],
    ['an impossible date', '{"ts":"2026-13-45T03:00:00Z","event":"token"}'],
    ['no event', '{"ts":"2026-11-22T03:00:00Z"}'],
    ['an empty event', '{"ts":"2026-11-22T03:00:00Z","event":""}'],
    ['a numeric event', '{"ts":"2026-11-22T03:00:00Z","event":7}'],
    ['an empty line', ''],
    ['binary garbage', '\u0000\u0001\ufffd\ufffd'],
  ];
  for (const [what, line] of rejected) {
    it(`rejects ${what}`, () => assert.equal(parseEvent(line), null));
  }

  it('drops common fields of the wrong type, so rules can trust them', () => {
    const event = parseEvent('{"ts":"2026-11-22T03:00:00Z","event":"token","conn":{"x":1},"pid":"4412","ci":"yes","host":"h"}');
    assert.deepEqual(event, { ts: '2026-11-22T03:00:00Z', event: 'token', host: 'h' });
  });

  it('keeps escape sequences as data (stripping is the formatter’s job)', () => {
    const event = parseEvent('{"ts":"2026-11-22T03:00:00Z","event":"request","path":"/x\\u001b[2J"}') as unknown as { path: string };
    assert.equal(event.path, '/x\u001b[2J');
  });
});

describe('eventTime', () => {
  it('gives epoch milliseconds for ISO times and null otherwise', () => {
    assert.equal(eventTime('2026-11-22T03:00:00.250Z'), Date.UTC(2026, 10, 22, 3, 0, 0, 250));
    assert.equal(eventTime('2026-11-22T04:00:00+01:00'), Date.UTC(2026, 10, 22, 3));
    assert.equal(eventTime('2026-11-22'), null);
    assert.equal(eventTime(12), null);
  });
});
