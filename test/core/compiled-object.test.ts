import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as z from 'zod/mini';
import { eventSchemas } from '../../src/core/events.js';
import { written as writtenLines } from '../support/written-events.js';

// The compiled object must be z.object exactly: for every event kind, the same answer (success,
// data, issues) on a written line and on every way of breaking each of its fields.
const interpreted = (schema: (typeof eventSchemas)[keyof typeof eventSchemas]) => z.object(schema.shape);

const breakages: Array<[string, unknown]> = [['null', null], ['a number', 7], ['a negative number', -1], ['a fraction', 1.5], ['a string', 'x'], ['an empty string', ''], ['an array', [1, 'a']], ['an object', { a: 1 }], ['true', true]];

function answer(schema: z.ZodMiniType, value: unknown): unknown {
  const result = schema.safeParse(value);
  return result.success ? { data: result.data } : { issues: result.error.issues.map((i) => ({ code: i.code, path: i.path })) };
}

describe('compiledObject: the same answers as z.object', () => {
  for (const [kind, schema] of Object.entries(eventSchemas)) {
    const written = JSON.parse(writtenLines[kind] ?? '{}') as Record<string, unknown>;
    it(`${kind}: a written line, the line with extra fields, and each field missing or of every wrong type`, () => {
      const plain = interpreted(schema);
      const cases: unknown[] = [written, { ...written, extra: 'dropped', __proto__: { polluted: true } }, JSON.parse('{"__proto__":{"x":1},"constructor":"c"}'), null, [], 'line'];
      for (const field of Object.keys(schema.shape)) {
        const { [field]: _dropped, ...without } = written;
        cases.push(without);
        for (const [, value] of breakages) cases.push({ ...written, [field]: value });
      }
      let passed = 0;
      for (const value of cases) {
        const expected = answer(plain, value);
        assert.deepEqual(answer(schema, value), expected, JSON.stringify(value));
        if ((expected as { data?: unknown }).data) passed++;
      }
      assert.ok(passed >= 2, `${kind}: the written line and its extended form pass (${passed} passed)`);
    });
  }
});
