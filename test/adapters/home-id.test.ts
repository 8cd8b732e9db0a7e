import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { homePaths } from '../../src/adapters/home.js';
import { openStateStore } from '../../src/adapters/state-store.js';
import { openTokenStore } from '../../src/adapters/token-store.js';
import { runBroker } from '../support/run-broker.js';
import { tempHome } from '../support/temp-home.js';

// Issue 11 item 5: the keychain entry's service carries the home id, so every process that opens a
// fresh home must agree on it before writing a secret. Before, each picked its own random id and
// 16 concurrent `broker connect` left 121 of 160 tokens unreadable.

const concurrent = 16;
const homes = 10;

describe('the home id on a fresh home', () => {
  it(`${concurrent} concurrent broker connect × ${homes} fresh homes (real keychain): every token is readable`, async () => {
    const unreadable: string[] = [];
    for (let h = 0; h < homes; h++) {
      const home = tempHome('broker-fresh-home-');
      const names = Array.from({ length: concurrent }, (_, i) => `c${i}`);
      const runs = await Promise.all(names.map((name) => runBroker(['connect', name, '--provider', 'slack', '--token-stdin'], { env: { BROKER_HOME: home, BROKER_STORE: undefined }, input: `xoxb-home${h}-${name}` })));
      for (const r of runs) assert.equal(r.code, 0, r.stderr);
      const state = openStateStore(homePaths(home));
      assert.deepEqual(state.list().map((c) => c.name).sort(), [...names].sort(), 'state.json lists every connection');
      const tokens = openTokenStore(homePaths(home), state, {});
      for (const name of names) {
        const bundle = await tokens.read(name);
        if (bundle?.access_token !== `xoxb-home${h}-${name}`) unreadable.push(`home ${h} ${name}`);
      }
    }
    assert.deepEqual(unreadable, [], `${unreadable.length} of ${concurrent * homes} tokens cannot be read back`);
  });
});
