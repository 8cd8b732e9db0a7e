import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closest, editDistance } from '../../src/core/suggest.js';
import { runBroker } from '../support/run-broker.js';
import { tempHome } from '../support/temp-home.js';

// Sharp edges a tired person meets first: a typo, an unknown name, a fix that does not exist.

describe('did you mean', () => {
  const cases: Array<[string[], RegExp]> = [
    [['status', '--jsn'], /^broker: status: unknown option --jsn \(did you mean --json\?\)\n$/],
    [['doctor', '--sinse', '7d'], /^broker: doctor: unknown option --sinse \(did you mean --since\?\)\n$/],
    [['stauts'], /^broker: unknown command "stauts" \(did you mean `broker status`\?\); `broker --help` lists them\n$/],
    [['docter'], /did you mean `broker doctor`\?/],
    [['doctor', '--xyzzy'], /^broker: doctor: unknown option --xyzzy; see broker doctor --help\n$/],
  ];
  for (const [args, line] of cases) {
    it(`broker ${args.join(' ')} → one line, exit 2`, async () => {
      const r = await runBroker(args, { env: { BROKER_HOME: tempHome() } });
      assert.equal(r.code, 2);
      assert.match(r.stderr, line);
      assert.equal(r.stdout, '');
    });
  }
  it('edit distance counts a transposition as one edit; far words are not suggested', () => {
    assert.equal(editDistance('stauts', 'status'), 1);
    assert.equal(closest('jsn', ['json', 'since']), 'json');
    assert.equal(closest('xyzzy', ['json', 'since', 'conn']), undefined);
  });
});

describe('unknown names exit 2', () => {
  it('log --conn for a connection that does not exist', async () => {
    const r = await runBroker(['log', '--conn', 'nope'], { env: { BROKER_HOME: tempHome() } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no connection named "nope"/);
  });
  it('doctor --fix for an id no diagnosis has names the ids there are', async () => {
    const r = await runBroker(['doctor', '--fix', 'refresh-racce', '--yes'], { env: { BROKER_HOME: tempHome() } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--fix refresh-racce: no diagnosis has that id/);
    assert.match(r.stderr, /refresh-race, /);
  });
  it('doctor --fix for a known id that is not found: nothing to fix, exit 0', async () => {
    const r = await runBroker(['doctor', '--fix', 'refresh-race', '--yes'], { env: { BROKER_HOME: tempHome() } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /no refresh-race finding in the window: nothing to fix/);
  });
});
