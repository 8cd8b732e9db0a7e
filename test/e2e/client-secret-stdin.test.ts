import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { approveDevice, startOidcProvider, type RunningOidcProvider } from '../../fixtures/providers/oidc-provider-server.js';
import { exitCodes } from '../../src/core/exit-codes.js';
import { fingerprint } from '../../src/core/fingerprint.js';
import { keychainEntry, readEvents } from '../support/home-files.js';
import { startBroker } from '../support/live-broker.js';
import { runBroker, type BrokerRun } from '../support/run-broker.js';
import { tempHome } from '../support/temp-home.js';

// Issue 11 item 15: `--client-secret-from keychain` could not be used (nothing stored the secret, and
// the hint sent people to a login that does not ask for it). `connect … --client-secret-stdin` keeps
// the secret in the connection's token-store bundle; login carries it into the new bundle; refresh uses it.

const alice = 'alice@example.test';
const secret = 'fake-stdin-client-secret-Kd72Ws';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? filesUnder(join(dir, name)) : [join(dir, name)]));
}

describe('connect --client-secret-stdin', () => {
  let op: RunningOidcProvider;
  before(async () => {
    op = await startOidcProvider({ clientSecret: secret, accessTokenTtl: 120 });
  });
  after(() => op.close());
  const connectArgs = (name: string) => ['connect', name, '--provider', 'oidc', '--issuer', op.issuer, '--client-id', op.clientId, '--account', alice, '--scopes', 'openid,email,offline_access'];

  it('keeps the secret in the keychain bundle, never echoes it; device login and refresh then use it', async () => {
    const home = tempHome();
    const env = { BROKER_HOME: home };
    const runs: BrokerRun[] = [];
    const connect = await runBroker([...connectArgs('kc'), '--client-secret-stdin'], { env, input: `${secret}\n` });
    runs.push(connect);
    assert.equal(connect.code, exitCodes.ok, connect.stderr);
    assert.equal(connect.stdout, `connected kc (oidc, service); client secret fp ${fingerprint(secret)} kept in the token store; no token yet: run \`broker login kc\`\n`);
    assert.deepEqual(JSON.parse(keychainEntry(home, 'kc') ?? 'null'), { client_secret: secret });
    const state = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')) as { connections: Record<string, { clientSecretSource?: string; accessTokenFp?: string }> };
    assert.equal(state.connections.kc?.clientSecretSource, 'keychain');
    assert.equal(state.connections.kc?.accessTokenFp, undefined);

    // Before the first login the connection has no token: token says so (exit 3), not "not a token bundle".
    const early = await runBroker(['token', 'kc'], { env });
    runs.push(early);
    assert.equal(early.code, exitCodes.loginNeeded, early.stderr);

    const login = startBroker(['login', 'kc', '--device'], { env });
    const [, userCode] = await login.waitFor(/enter the code (\S+)/);
    await approveDevice(op.issuer, userCode!, alice);
    const done = await login.done;
    runs.push(done);
    assert.equal(done.code, exitCodes.ok, done.stderr);
    const bundle = JSON.parse(keychainEntry(home, 'kc') ?? 'null') as { access_token?: string; refresh_token?: string; client_secret?: string };
    assert.ok(bundle.access_token && bundle.refresh_token);
    assert.equal(bundle.client_secret, secret, 'the login kept the secret with the new tokens');

    const refresh = await runBroker(['refresh', 'kc', '--json'], { env });
    runs.push(refresh);
    assert.equal(refresh.code, exitCodes.ok, refresh.stderr);
    assert.equal(JSON.parse(refresh.stdout).outcome, 'ok');
    assert.equal(JSON.parse(keychainEntry(home, 'kc') ?? 'null').client_secret, secret, 'the refresh kept it too');
    const secretEvents = readEvents(home).filter((e) => e.event === 'secret');
    assert.deepEqual(secretEvents.map((e) => [e.source, e.fp]), [['keychain', fingerprint(secret)]]);

    const texts = [...runs.flatMap((r) => [r.stdout, r.stderr]), ...filesUnder(home).map((f) => readFileSync(f, 'latin1'))];
    for (const text of texts) for (let i = 0; i + 8 <= secret.length; i++) assert.ok(!text.includes(secret.slice(i, i + 8)), 'a piece of the secret leaked');
  });

  const refused: Array<[string, string[], string, RegExp]> = [
    ['with --token-stdin (both read stdin)', ['--client-secret-stdin', '--token-stdin'], secret, /both read stdin/],
    ['with another source', ['--client-secret-stdin', '--client-secret-from', 'env:X'], secret, /cannot be combined with --client-secret-from env:X/],
    ['empty stdin', ['--client-secret-stdin'], '\n', /the client secret on stdin is empty/],
    ['more than one line', ['--client-secret-stdin'], `${secret}\nsecond-line\n`, /more than one line/],
    ['more than 64 KiB', ['--client-secret-stdin'], 'z'.repeat(70_000), /more than 65536 bytes/],
  ];
  for (const [what, flags, input, message] of refused) {
    it(`is refused ${what}, nothing stored, the input never echoed`, async () => {
      const home = tempHome();
      const r = await runBroker([...connectArgs('bad'), ...flags], { env: { BROKER_HOME: home }, input });
      assert.equal(r.code, exitCodes.usage, r.stderr);
      assert.match(r.stderr, message);
      assert.ok(!r.stderr.includes(secret.slice(0, 8)) && !r.stderr.includes('second-line'));
      // Refused while parsing the flags, the home is not even created; refused reading stdin, nothing is in the keychain.
      assert.equal(existsSync(join(home, 'state.json')) ? keychainEntry(home, 'bad') : null, null);
    });
  }
});
