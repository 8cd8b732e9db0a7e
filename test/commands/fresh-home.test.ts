import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runBroker } from '../support/run-broker.js';

// An on-call engineer who points a reading command at the wrong BROKER_HOME must not find a new,
// empty home made there: reading commands create nothing; the first write creates the home.
describe('a home that does not exist yet', () => {
  for (const args of [['status'], ['status', '--json'], ['doctor'], ['doctor', '--json'], ['log'], ['log', '--json']]) {
    it(`broker ${args.join(' ')} reads it as empty and creates nothing`, async () => {
      const home = join(mkdtempSync(join(tmpdir(), 'broker-fresh-')), 'not-yet');
      const run = await runBroker(args, { env: { BROKER_HOME: home } });
      assert.ok(run.code === 0, `exit ${run.code}: ${run.stderr}`);
      assert.equal(existsSync(home), false, `${args.join(' ')} created ${home}`);
    });
  }

  it('the first connection creates it, with its id, and status then lists the connection', async () => {
    const home = join(mkdtempSync(join(tmpdir(), 'broker-fresh-')), 'not-yet');
    const env = { BROKER_HOME: home };
    const connect = await runBroker(['connect', 'first', '--provider', 'github', '--token-stdin'], { env, input: JSON.stringify({ access_token: 'fresh-home-token', expires_in: 3600 }) });
    assert.equal(connect.code, 0, connect.stderr);
    const state = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')) as { homeId: string; connections: Record<string, unknown> };
    assert.match(state.homeId, /^[0-9a-f]{16}$/);
    assert.deepEqual(Object.keys(state.connections), ['first']);
    const status = await runBroker(['status', '--json'], { env });
    assert.equal(status.code, 0, status.stderr);
    assert.deepEqual((JSON.parse(status.stdout) as { connections: { name: string }[] }).connections.map((c) => c.name), ['first']);
    const token = await runBroker(['token', 'first'], { env });
    assert.equal(token.stdout, 'fresh-home-token\n', token.stderr);
  });
});
