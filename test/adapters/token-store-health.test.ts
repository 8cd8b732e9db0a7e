import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { homePaths } from '../../src/adapters/home.js';
import { openStateStore } from '../../src/adapters/state-store.js';
import { runBroker, type BrokerRun } from '../support/run-broker.js';
import { tempHome } from '../support/temp-home.js';

// Issue 11 item 9: with a damaged token-store entry, `status` and `doctor` (also --json) exited 0
// while `token` failed, so the readiness answer lied; a corrupt secrets.enc exited 1, not 2; some
// messages were zod's issue list as raw JSON.

const fileEnv = { BROKER_STORE: 'file', BROKER_PASSPHRASE: 'store-health-test' };
const rawZod = /\[\s*\{\s*"(code|expected|path)"/;

async function homeWithTwo(env: Record<string, string | undefined>): Promise<string> {
  const home = tempHome();
  for (const name of ['gh', 'ok']) {
    const r = await runBroker(['connect', name, '--provider', 'github', '--token-stdin'], { env: { BROKER_HOME: home, ...env }, input: `gho_${name}_token` });
    assert.equal(r.code, 0, r.stderr);
  }
  return home;
}

function assertOneLine(r: BrokerRun): void {
  assert.doesNotMatch(r.stderr, rawZod, 'raw zod JSON in the message');
  assert.doesNotMatch(r.stderr, /unexpected error/);
  assert.ok(r.stderr.trim().split('\n').length <= 2, `more than a message and its fix:\n${r.stderr}`);
}

async function assertReadinessSaysDamaged(home: string, env: Record<string, string | undefined>): Promise<void> {
  const all = { BROKER_HOME: home, ...env };
  const status = await runBroker(['status', '--json'], { env: all });
  assert.equal(status.code, 1, status.stdout);
  const doc = JSON.parse(status.stdout);
  assert.deepEqual(doc.store.damaged, ['gh']);
  assert.equal(doc.connections.find((c: { name: string }) => c.name === 'gh').health, 'error');
  assert.equal(doc.connections.find((c: { name: string }) => c.name === 'ok').health, 'ok');
  assert.equal((await runBroker(['status'], { env: all })).code, 1);
  for (const args of [['doctor'], ['doctor', '--json']]) {
    const r = await runBroker(args, { env: all });
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}`);
    assert.match(r.stdout, /token-store-damaged/);
  }
  const token = await runBroker(['token', 'gh'], { env: all });
  assert.equal(token.code, 3, token.stderr);
  assert.equal(token.stdout, '');
  assert.match(token.stderr, /entry for "gh" (is damaged|in .* fails authentication)/);
  assertOneLine(token);
  assert.equal((await runBroker(['token', 'ok'], { env: all })).stdout, 'gho_ok_token\n', 'the other connection still works');
}

describe('a damaged token-store entry', () => {
  const plants: Array<[string, string, RegExp]> = [
    ['not JSON', 'garbage', /damaged \(not JSON\)/],
    ['JSON of the wrong shape', '{"access_token": 42}', /damaged \(access_token: /],
    ['a token with control characters', JSON.stringify({ access_token: 'gho_\u001b]52;c;ZWNobw==\u0007' }), /damaged \(access_token: holds whitespace, control or non-ASCII characters\)/],
  ];
  for (const [what, text, reason] of plants) {
    it(`keychain, ${what}: status and doctor exit 1, token exits 3 with a one-line reason`, async () => {
      const home = await homeWithTwo({ BROKER_STORE: undefined });
      const { homeId } = openStateStore(homePaths(home));
      execFileSync('secret-tool', ['store', '--label', 'damaged', 'service', `broker:${homeId}`, 'username', 'gh'], { input: text });
      await assertReadinessSaysDamaged(home, {});
      const token = await runBroker(['token', 'gh'], { env: { BROKER_HOME: home } });
      assert.match(token.stderr, reason);
    });
  }

  it('file store, an entry that fails authentication: status and doctor exit 1, token exits 3', async () => {
    const home = await homeWithTwo(fileEnv);
    const path = homePaths(home).secretsFile;
    const file = JSON.parse(readFileSync(path, 'utf8'));
    const data = Buffer.from(file.entries.gh.data, 'base64');
    data[0] = (data[0] as number) ^ 0xff;
    file.entries.gh.data = data.toString('base64');
    writeFileSync(path, JSON.stringify(file));
    await assertReadinessSaysDamaged(home, fileEnv);
  });
});

describe('a damaged secrets.enc', () => {
  const damages: Array<[string, string, RegExp]> = [
    ['not JSON', '{"version": 1, "salt": ', /damaged: not JSON/],
    ['empty', '', /damaged: the file is empty/],
    ['the wrong shape', JSON.stringify({ version: 1, salt: 'c2FsdA==', check: { iv: 1 }, entries: {} }), /damaged: check\.iv: /],
  ];
  for (const [what, text, reason] of damages) {
    it(`${what}: token exits 2 (bad input) with a one-line reason; status says the store is unavailable`, async () => {
      const home = await homeWithTwo(fileEnv);
      writeFileSync(homePaths(home).secretsFile, text);
      const env = { BROKER_HOME: home, ...fileEnv };
      const token = await runBroker(['token', 'gh'], { env });
      assert.equal(token.code, 2, token.stderr);
      assert.match(token.stderr, reason);
      assertOneLine(token);
      const status = await runBroker(['status', '--json'], { env });
      assert.equal(status.code, 1);
      const store = JSON.parse(status.stdout).store;
      assert.equal(store.available, false);
      assert.match(store.problem, reason);
      assert.doesNotMatch(store.problem, rawZod);
    });
  }
});
