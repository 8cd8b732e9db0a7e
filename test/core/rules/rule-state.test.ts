import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startDiagnosis } from '../../../src/core/diagnose.js';
import { rules } from '../../../src/core/rules/index.js';
import { at, conn, day, facts, hour, T0 } from '../../support/facts.js';

// A rule's state is plain data bounded by the number of connections, never by the log's length,
// and finish() leaves it as it was (src/core/findings.ts). Each rule is fed 20,000 events that
// each bring a new key (paths, targets, owners, agents, fingerprints, pids), then its state is
// measured, cloned and finished.

const eventCount = 20_000;
const maxStateBytes = 2 * 1024 * 1024;
// Between 10,000 and 20,000 events a bounded state has long reached its caps: it may wobble, not grow.
const maxGrowth = (bytes: number) => bytes * 1.1 + 16 * 1024;

const connections = [
  conn({ name: 'gh', provider: 'github', account: 'bot', generation: 5, accessTokenFp: 'at5', refreshTokenFp: 'rt5', lastRefreshAt: at(-day) }),
  conn({ name: 'app', provider: 'github-app', appId: 1, installation: { id: 7, account: 'acme' }, lastRefreshAt: at(-hour) }),
  conn({ name: 'g', provider: 'google', account: 'me@example.com', clientSecretSource: 'env:G_SECRET', clientSecretFp: 'aaaaaaaaaaaa', refreshTokenFp: 'r', lastRefreshAt: at(-190 * day) }),
  conn({ name: 'o', provider: 'oidc', issuer: 'http://127.0.0.1:4010', refreshTokenFp: 'r', generation: 3 }),
  conn({ name: 'p', provider: 'github', kind: 'personal', account: 'alice' }),
  conn({ name: 'lin', provider: 'linear', accessTokenExpiresAt: at(-hour) }),
];
const names = connections.map((c) => c.name);

// A seeded generator, so a failure can be run again.
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Make = (i: number, word: () => string, pick: <T>(list: readonly T[]) => T, n: (max: number) => number) => Record<string, unknown>;

const writer = (word: () => string, n: (max: number) => number) => ({ pid: n(4_000_000), host: `host-${word()}`, agent: `agent-${word()}` });
const request = (c: string, status: number, word: () => string, n: (max: number) => number, more: Record<string, unknown> = {}) => ({ event: 'request', conn: c, method: 'GET', target: `${word()}.example`, path: `/repos/${word()}/${word()}`, status, at_fp: word(), ...writer(word, n), ...more });
const refresh = (c: string, outcome: string, word: () => string, n: (max: number) => number, more: Record<string, unknown> = {}) => ({ event: 'refresh', conn: c, trigger: 'reactive', outcome, rt_fp: word(), ...writer(word, n), ...more });

/** Per rule: the i-th event, each one a new key of what that rule keeps (one a second up to now, unless it says its ts). */
const generators: Record<string, Make> = {
  'access-expired': (i, word, pick, n) => (i % 2 ? { event: 'token', conn: pick(names), at_fp: word(), generation: n(1000), ...writer(word, n) } : request(pick(names), 401, word, n)),
  'client-secret-rotated': (i, word, pick, n) =>
    i % 2 ? { event: 'secret', conn: pick(names), source: `file:/run/${word()}`, fp: word(), previous_fp: word(), ...writer(word, n) } : refresh(pick(names), 'error', word, n, { status: 401, error: 'invalid_client', error_description: word() }),
  'clock-skew': (i, word, pick, n) =>
    i % 3 === 0
      ? { event: 'probe', conn: pick(names), check: pick(['token-endpoint', 'identity'] as const), outcome: 'error', status: 401, error: 'invalid_client', error_code: 'AADSTS700024', date: new Date(T0 - n(10 * day)).toUTCString(), identity: word(), ...writer(word, n) }
      : request(pick(names), 200, word, n, { date: new Date(T0 - n(10 * day)).toUTCString() }),
  // Over the last two hours (the per-minute counts fill their hour by the halfway mark), 2,000 targets in turn: every error a new (target, minute).
  'error-spike': (i, word, pick, n) => request('lin', 500 + n(100), word, n, { ts: new Date(T0 - 2 * hour + i * 360).toISOString(), target: `t${i % 2000}.example` }),
  'idle-expiry-soon': (i, word, pick, n) => refresh(pick(names), 'ok', word, n, { status: 200, new_rt_fp: word() }),
  'idle-revoked': (i, word, pick, n) => refresh(pick(names), 'error', word, n, { status: 400, error: 'invalid_grant', rt_last_used_at: at(-n(400) * day) }),
  'insufficient-scope': (i, word, pick, n) => request(pick(names), 403, word, n, { path: `/${word()}/${word()}`, 'x-oauth-scopes': word(), 'x-accepted-oauth-scopes': word() }),
  'keychain-unavailable': (i, word, pick, n) => request(pick(names), 200, word, n),
  // Timeouts, failed connections and 5xx from every connection, with an answer now and then: episodes that end and start again.
  'provider-unreachable': (i, word, pick, n) =>
    i % 7 === 0
      ? { event: 'probe', conn: pick(names), check: 'token-endpoint', outcome: 'ok', ...writer(word, n) }
      : i % 2
        ? { event: 'probe', conn: pick(names), check: 'identity', outcome: 'error', error: 'timeout', error_description: word(), ...writer(word, n) }
        : refresh(pick(names), 'error', word, n, { status: 500 + n(100), error: word(), error_description: word() }),
  'store-unavailable': (i, word, pick, n) => request(pick(names), 200, word, n),
  'token-store-damaged': (i, word, pick, n) => request(pick(names), 200, word, n),
  'new-destination': (i, word, pick, n) => request(pick(names), 200, word, n, { agent: `agent-${word()}` }),
  'personal-in-ci': (i, word, pick, n) => ({ event: 'token', conn: pick(names), at_fp: word(), generation: n(1000), ci: true, ...writer(word, n) }),
  'proxy-conflict': (i, word, pick, n) => request(pick(names), 200, word, n),
  'rate-limited': (i, word, pick, n) => request(pick(names), 429, word, n, { 'retry-after': String(n(1000)), 'x-ratelimit-reset': String(n(2e9)) }),
  // Each loser is logged just before its winner, with a token never seen before: every one a race.
  'refresh-race': (i, word, pick, n) => (i % 2 ? refresh('gh', 'ok', word, n, { rt_fp: `rt${i - 1}`, new_rt_fp: word(), status: 200 }) : refresh('gh', 'error', word, n, { rt_fp: `rt${i}`, status: 200, error: 'bad_refresh_token' })),
  // All inside one race window: the story holds events back for a minute, so this is what fills its lookahead.
  'refresh-token-revoked': (i, word, pick, n) => refresh(pick(names), 'error', word, n, { ts: new Date(T0 - 60_000 + i * 3).toISOString(), status: 200, error: 'bad_refresh_token' }),
  // New access tokens, new generations, and 401s from a thousand processes, each with a token of its own.
  'stale-token': (i, word, pick, n) =>
    i % 3 === 0
      ? { event: 'token', conn: 'gh', at_fp: word(), generation: n(5), ...writer(word, n) }
      : i % 3 === 1
        ? refresh('gh', 'ok', word, n, { at_fp: word(), generation: n(1_000_000), status: 200 })
        : request('gh', 401, word, n, { at_fp: `at4-${word()}`, pid: i % 997, host: 'h1' }),
  'wrong-account': (i, word, pick, n) => ({ event: pick(['probe', 'login'] as const), conn: pick(names), check: 'identity', method: 'browser', outcome: 'ok', identity: word(), ...writer(word, n) }),
  'wrong-installation': (i, word, pick, n) => request('app', pick([404, 404, 200]), word, n, { path: `/repos/${word()}/${word()}` }),
};

// 20,000 events, the generator's fields checked by the event schemas as the log reader would.
function eventsFor(id: string) {
  const next = random([...id].reduce((h, c) => (h * 31 + c.charCodeAt(0)) | 0, 7));
  const n = (max: number) => Math.floor(next() * max);
  const word = () => next().toString(36).slice(2, 12);
  const pick = <T,>(list: readonly T[]): T => list[n(list.length)]!;
  const make = generators[id]!;
  const fields = Array.from({ length: eventCount }, (_, i) => ({ ts: new Date(T0 - (eventCount - i) * 1000).toISOString(), ...make(i, word, pick, n) }));
  return facts({ connections, events: fields, env: {}, now: T0 });
}

/** The state as JSON that keeps what JSON.stringify would drop: Maps, Sets, undefined and non-finite numbers. */
function snapshot(value: unknown): string {
  return JSON.stringify(value, function (this: unknown, _key, v: unknown) {
    if (v instanceof Map) return { '<Map>': [...v] };
    if (v instanceof Set) return { '<Set>': [...v] };
    if (v === undefined) return '<undefined>';
    if (typeof v === 'number' && !Number.isFinite(v)) return `<${v}>`;
    return v;
  });
}

/** Plain data: objects, arrays, Maps and Sets of plain data, strings, numbers, booleans and null. */
function assertPlain(value: unknown, path: string, seen = new Set<unknown>()): void {
  if (value === null || value === undefined || ['string', 'number', 'boolean'].includes(typeof value)) return;
  assert.equal(typeof value, 'object', `${path} is a ${typeof value}`);
  if (seen.has(value)) return;
  seen.add(value);
  if (value instanceof Map) {
    for (const [k, v] of value) {
      assertPlain(k, `${path} key`, seen);
      assertPlain(v, `${path}.get(${String(k)})`, seen);
    }
    return;
  }
  if (value instanceof Set) {
    for (const v of value) assertPlain(v, `${path} item`, seen);
    return;
  }
  const proto = Object.getPrototypeOf(value);
  assert.ok(Array.isArray(value) || proto === Object.prototype || proto === null, `${path} is a ${proto?.constructor?.name ?? 'strange object'}, not plain data`);
  for (const [k, v] of Object.entries(value)) assertPlain(v, `${path}.${k}`, seen);
}

const kib = (bytes: number) => `${Math.round(bytes / 1024)} KiB`;

describe('rule state is bounded and plain', () => {
  it('every registered rule has a generator here', () => {
    assert.deepEqual(Object.keys(generators).sort(), rules.map((r) => r.id).sort());
  });

  for (const rule of rules) {
    it(`${rule.id}: 20,000 new keys keep the state under ${kib(maxStateBytes)}; it is plain data, and finish() does not change it`, () => {
      const { ctx, events } = eventsFor(rule.id);
      const run = startDiagnosis(ctx.connections, { rules: [rule] });
      const stateOf = () => run.state().rules[rule.id];
      let halfway = 0;
      let halfwayAll = 0;
      for (const [i, logged] of events.entries()) {
        run.observe(logged);
        if (i === eventCount / 2 - 1) {
          halfway = snapshot(stateOf()).length;
          halfwayAll = snapshot(run.state()).length;
        }
      }
      assert.deepEqual(run.state().failures, [], 'no rule failed on the generated events');
      const state = stateOf();
      const before = snapshot(state);
      const beforeAll = snapshot(run.state());
      assert.ok(before.length < maxStateBytes, `${rule.id}: the state is ${kib(before.length)} after ${eventCount} events (${kib(halfway)} after ${eventCount / 2})`);
      assert.ok(before.length <= maxGrowth(halfway), `${rule.id}: the state grows with the log: ${kib(halfway)} after ${eventCount / 2} events, ${kib(before.length)} after ${eventCount}`);
      // The refresh rules keep their state in the shared refresh story: it is held to the same bound.
      assert.ok(beforeAll.length < maxStateBytes, `${rule.id}: the diagnosis state (refresh story included) is ${kib(beforeAll.length)} after ${eventCount} events`);
      assert.ok(beforeAll.length <= maxGrowth(halfwayAll), `${rule.id}: the diagnosis state (refresh story included) grows with the log: ${kib(halfwayAll)} after ${eventCount / 2} events, ${kib(beforeAll.length)} after ${eventCount}`);

      assertPlain(state, rule.id);
      assert.deepStrictEqual(structuredClone(state), state);
      assert.deepStrictEqual(structuredClone(run.state()), run.state());

      const cloned = structuredClone(run.state());
      const diagnosis = run.finish(ctx);
      assert.deepEqual(diagnosis.ruleFailures, [], 'finish did not throw');
      assert.equal(snapshot(stateOf()), before, `${rule.id}: finish() changed the rule's state`);
      assert.equal(snapshot(run.state()), beforeAll, `${rule.id}: finish() changed the diagnosis state`);
      assert.deepStrictEqual(run.state(), cloned);
      // Finishing twice gives the same answer (the doctor finishes, reads on, finishes again).
      assert.deepStrictEqual(run.finish(ctx), diagnosis);
    });
  }
});
