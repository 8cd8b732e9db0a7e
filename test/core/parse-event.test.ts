import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventNames } from '../../src/core/events.js';
import { eventTime, lineTime, parseEvent, parseEventLine } from '../../src/core/parse-event.js';
import { written } from '../support/written-events.js';

describe('parseEventLine', () => {
  it('has a written line for every event kind', () => assert.deepEqual(Object.keys(written).sort(), [...eventNames].sort()));
  for (const [kind, line] of Object.entries(written)) {
    it(`keeps a ${kind} line as it was written`, () => assert.deepEqual(parseEvent(line), JSON.parse(line)));
  }

  it('accepts ISO times with an offset and tolerates CRLF endings', () => {
    assert.equal(parseEvent('{"ts":"2026-11-22T04:00:00.000+01:00","event":"token","at_fp":"x","generation":1}\r')?.event, 'token');
  });

  const rejected: Array<[string, string, string]> = [
    ['malformed JSON', '{"ts":"2026-11-22T03:00:00Z","event":"token"', 'not JSON'],
    ['an array', '[{"ts":"2026-11-22T03:00:00Z","event":"token"}]', 'not a JSON object'],
    ['a string', '"2026-11-22T03:00:00Z"', 'not a JSON object'],
    ['null', 'null', 'not a JSON object'],
    ['no ts', '{"event":"token"}', 'no ISO ts'],
    ['a numeric ts', '{"ts":1795000000,"event":"token"}', 'no ISO ts'],
    ['a ts that is not ISO', '{"ts":"yesterday","event":"token"}', 'no ISO ts'],
    ['a ts without a zone', '{"ts":"2026-11-22T03:00:00","event":"token"}', 'no ISO ts'],
    ['an impossible date', '{"ts":"2026-13-45T03:00:00Z","event":"token"}', 'no ISO ts'],
    ['no event', '{"ts":"2026-11-22T03:00:00Z"}', 'no event name'],
    ['an empty event', '{"ts":"2026-11-22T03:00:00Z","event":""}', 'unknown event kind'],
    ['a numeric event', '{"ts":"2026-11-22T03:00:00Z","event":7}', 'no event name'],
    ['an unknown kind', '{"ts":"2026-11-22T03:00:00Z","event":"heartbeat"}', 'unknown event kind'],
    ['an inherited name', '{"ts":"2026-11-22T03:00:00Z","event":"constructor"}', 'unknown event kind'],
    ['an empty line', '', 'not JSON'],
    ['binary garbage', '\u0000\u0001\ufffd\ufffd', 'not JSON'],
    ['error as an array (crashed every doctor run)', '{"ts":"2026-11-22T03:00:00Z","event":"refresh","conn":"z","outcome":"error","error":["invalid_grant"]}', 'refresh: error has the wrong type'],
    ['a request without target', '{"ts":"2026-11-22T03:00:00Z","event":"request","conn":"z","method":"GET","path":"/","status":200}', 'request: target is missing'],
    ['a target that is null', '{"ts":"2026-11-22T03:00:00Z","event":"request","conn":"z","method":"GET","target":null,"path":"/","status":200}', 'request: target has the wrong type'],
    ['a status that is not an integer', '{"ts":"2026-11-22T03:00:00Z","event":"request","method":"GET","target":"t","path":"/","status":"200"}', 'request: status has the wrong type'],
    ['an unknown outcome', '{"ts":"2026-11-22T03:00:00Z","event":"refresh","outcome":"maybe"}', 'refresh: outcome is invalid'],
    ['a common field of the wrong type', '{"ts":"2026-11-22T03:00:00Z","event":"token","at_fp":"x","generation":1,"pid":"4412"}', 'token: pid has the wrong type'],
    ['a conn that is an object', '{"ts":"2026-11-22T03:00:00Z","event":"token","at_fp":"x","generation":1,"conn":{"x":1}}', 'token: conn has the wrong type'],
    ['a negative generation', '{"ts":"2026-11-22T03:00:00Z","event":"token","at_fp":"x","generation":-1}', 'token: generation is invalid'],
  ];
  for (const [what, line, reason] of rejected) {
    it(`rejects ${what}: "${reason}"`, () => {
      assert.deepEqual(parseEventLine(line), { ok: false, reason });
      assert.equal(parseEvent(line), null);
    });
  }

  it('drops fields its kind does not name', () => {
    assert.deepEqual(parseEvent('{"ts":"2026-11-22T03:00:00Z","event":"token","at_fp":"x","generation":1,"extra":[1,2]}'), { ts: '2026-11-22T03:00:00Z', event: 'token', at_fp: 'x', generation: 1 });
  });

  it('keeps escape sequences as data (stripping is the formatter’s job)', () => {
    const event = parseEvent('{"ts":"2026-11-22T03:00:00Z","event":"request","method":"GET","target":"t","status":200,"path":"/x\\u001b[2J"}');
    assert.equal(event?.event === 'request' && event.path, '/x\u001b[2J');
  });
});

describe('eventTime and lineTime', () => {
  it('gives epoch milliseconds for ISO times and null otherwise', () => {
    assert.equal(eventTime('2026-11-22T03:00:00.250Z'), Date.UTC(2026, 10, 22, 3, 0, 0, 250));
    assert.equal(eventTime('2026-11-22T04:00:00+01:00'), Date.UTC(2026, 10, 22, 3));
    assert.equal(eventTime('2026-11-22'), null);
    assert.equal(eventTime(12), null);
  });
  it('reads the time of a line that is not a valid event, for the seek', () => {
    assert.equal(lineTime('{"ts":"2026-11-22T03:00:00.250Z","event":"refresh","error":[1]}'), Date.UTC(2026, 10, 22, 3, 0, 0, 250));
    assert.equal(lineTime('{"ts":"2026-11-22T03:00'), null);
    assert.equal(lineTime('null'), null);
  });
});
