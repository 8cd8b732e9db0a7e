import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { homePaths } from '../../src/adapters/home.js';
import { openStateStore, parseStateText } from '../../src/adapters/state-store.js';
import { BrokerError } from '../../src/core/broker-error.js';
import { tempHome } from '../support/temp-home.js';
import { runBroker } from '../support/run-broker.js';

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('state store', () => {
  it('reads a new home as empty, and creates it with 0700 folders, a 0600 state.json and a random home id when its id is first needed', () => {
    const home = join(tempHome(), 'new-home');
    const paths = homePaths(home);
    const a = openStateStore(paths);
    assert.deepEqual(a.list(), []);
    assert.equal(a.existingHomeId(), undefined);
    assert.equal(existsSync(home), false, 'reading created the home');
    assert.match(a.homeId, /^[a-f0-9]{16}$/);
    assert.equal(a.existingHomeId(), a.homeId);
    for (const dir of [paths.root, paths.logs, paths.locks]) assert.equal(statSync(dir).mode & 0o777, 0o700, dir);
    assert.equal(statSync(paths.state).mode & 0o777, 0o600);
    assert.match(a.homeId, /^[a-f0-9]{16}$/);
    assert.notEqual(openStateStore(homePaths(tempHome())).homeId, a.homeId);
    assert.equal(openStateStore(paths).homeId, a.homeId, 'the id is stable across opens');
  });

  const corruptions: Array<[string, string, RegExp]> = [
    ['truncated JSON', '{"version": 1, "homeId": "0123456789abcdef", "connections": {', /JSON/],
    ['not an object', '[1, 2, 3]', /schema violation/],
    ['a connection with an unknown provider', JSON.stringify({ version: 1, homeId: '0123456789abcdef', connections: { x: { name: 'x', provider: 'myspace', kind: 'service', createdAt: '2026-01-01T00:00:00Z' } } }), /schema violation at connections\.x\.provider/],
  ];
  for (const [what, text, reason] of corruptions) {
    it(`a corrupt state.json (${what}) exits 2, names the file and the error, and is left byte-for-byte`, async () => {
      const home = tempHome();
      mkdirSync(home, { recursive: true });
      const path = homePaths(home).state;
      writeFileSync(path, text);
      const before = sha256(path);
      assert.throws(() => openStateStore(homePaths(home)).list(), (err: BrokerError) => err.exitCode === 2 && err.message.includes(path) && reason.test(err.message));
      const r = await runBroker(['connect', 'new', '--provider', 'github', '--token-stdin'], { env: { BROKER_HOME: home }, input: 'tok' });
      assert.equal(r.code, 2);
      assert.ok(r.stderr.includes(path), r.stderr);
      assert.match(r.stderr, reason);
      assert.match(r.stderr, /left exactly as it was/);
      assert.equal(sha256(path), before);
    });
  }

  it('parallel writers from several processes lose no connection', async () => {
    const home = tempHome();
    openStateStore(homePaths(home));
    const names = Array.from({ length: 8 }, (_, i) => `conn-${i}`);
    const runs = await Promise.all(names.map((name) => runBroker(['connect', name, '--provider', 'slack', '--kind', 'personal'], { env: { BROKER_HOME: home } })));
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(openStateStore(homePaths(home)).list().map((c) => c.name), names);
  });

  it('parseStateText rejects what zod rejects and accepts a valid state', () => {
    const valid = { version: 1, homeId: 'abcdefabcdefabcd', connections: {} };
    assert.deepEqual(parseStateText(JSON.stringify(valid)), valid);
    assert.throws(() => parseStateText('{"version":2}'), /schema violation/);
  });
});
