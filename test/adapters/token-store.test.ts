import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { homePaths } from '../../src/adapters/home.js';
import { openTokenStore, chooseBackend } from '../../src/adapters/token-store.js';
import { openStateStore } from '../../src/adapters/state-store.js';
import { BrokerError } from '../../src/core/broker-error.js';
import { tempHome } from '../support/temp-home.js';
import { brokerBin, runBroker } from '../support/run-broker.js';

const canary = 'canary-at-7f3a9c1e5d2b8a4f';
const canaryRefresh = 'canary-rt-0b1c2d3e4f5a6b7c';

describe('keychain backend (real Secret Service)', () => {
  it('stores a bundle that secret-tool and a second broker process can read, and delete really deletes', async () => {
    const home = tempHome();
    const env = { BROKER_HOME: home, BROKER_STORE: undefined };
    const connect = await runBroker(['connect', 'gh', '--provider', 'github', '--token-stdin'], {
      env,
      input: JSON.stringify({ access_token: canary, refresh_token: canaryRefresh, expires_in: 3600 }),
    });
    assert.equal(connect.code, 0, connect.stderr);

    const state = openStateStore(homePaths(home));
    const { homeId } = state;
    const viaSecretTool = JSON.parse(execFileSync('secret-tool', ['lookup', 'service', `broker:${homeId}`, 'username', 'gh'], { encoding: 'utf8' }));
    assert.equal(viaSecretTool.access_token, canary);
    assert.equal(viaSecretTool.refresh_token, canaryRefresh);

    // This test process is the second process reading what the broker child wrote.
    const store = openTokenStore(homePaths(home), state, {});
    assert.deepEqual((await store.status()).available, true);
    assert.equal((await store.read('gh'))?.access_token, canary);

    const removed = await runBroker(['remove', 'gh'], { env });
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(await store.read('gh'), null);
    assert.throws(() => execFileSync('secret-tool', ['lookup', 'service', `broker:${homeId}`, 'username', 'gh'], { stdio: 'pipe' }));

    for (const out of [connect.stdout, connect.stderr, removed.stdout, removed.stderr, readFileSync(homePaths(home).events, 'utf8'), readFileSync(homePaths(home).state, 'utf8')]) {
      assert.ok(!out.includes(canary) && !out.includes(canaryRefresh), 'a token leaked into output, the log or state.json');
    }
  });

  it('two homes never collide: the service name carries the home id', async () => {
    const [a, b] = [tempHome(), tempHome()];
    for (const [home, token] of [[a, 'token-of-home-a'], [b, 'token-of-home-b']] as const) {
      const r = await runBroker(['connect', 'same-name', '--provider', 'slack', '--token-stdin'], { env: { BROKER_HOME: home }, input: token });
      assert.equal(r.code, 0, r.stderr);
    }
    const read = (home: string) => openTokenStore(homePaths(home), openStateStore(homePaths(home)), {}).read('same-name');
    assert.equal((await read(a))?.access_token, 'token-of-home-a');
    assert.equal((await read(b))?.access_token, 'token-of-home-b');
  });

  it('a missing Secret Service is explained with the fix, not a stack trace', async () => {
    const home = tempHome();
    const r = await runBroker(['connect', 'gh', '--provider', 'github', '--token-stdin'], {
      env: { BROKER_HOME: home, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' },
      input: canary,
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /OS keychain cannot write/);
    assert.match(r.stderr, /fix: .*gnome-keyring-daemon --unlock.*BROKER_STORE=file/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.ok(!r.stderr.includes(canary));
    assert.equal(openStateStore(homePaths(home)).get('gh'), undefined, 'no half-made connection is left behind');
  });
  it('a locked keyring is reported unavailable by status, with the fix, although reads only return nothing', () => {
    const home = tempHome();
    const keyringHome = tempHome('broker-locked-keyring-');
    // A fresh keyring daemon that is started but never unlocked: the state of a desktop keyring after boot.
    const script = `gnome-keyring-daemon --start --components=secrets >/dev/null 2>&1 && exec ${process.execPath} ${brokerBin} status --json`;
    // Without the outer test session's keyring variables, which would point the new daemon at the unlocked one.
    const env = { ...process.env, BROKER_HOME: home, XDG_DATA_HOME: keyringHome, GNOME_KEYRING_CONTROL: undefined, SSH_AUTH_SOCK: undefined };
    const run = spawnSync('dbus-run-session', ['--', 'bash', '-c', script], { env, encoding: 'utf8', timeout: 30_000 });
    assert.equal(run.status, 1, run.stderr);
    const { store } = JSON.parse(run.stdout);
    assert.equal(store.backend, 'keychain');
    assert.equal(store.available, false);
    assert.match(store.problem, /OS keychain cannot write/);
    assert.match(store.problem, /unlock|BROKER_STORE=file/);
  });
});

describe('file backend', () => {
  it('keeps no token bytes in the ciphertext and round-trips with the right passphrase', async () => {
    const home = tempHome();
    const env = { BROKER_HOME: home, BROKER_STORE: 'file', BROKER_PASSPHRASE: 'correct horse battery staple' };
    const r = await runBroker(['connect', 'svc', '--provider', 'google', '--token-stdin'], { env, input: JSON.stringify({ access_token: canary, refresh_token: canaryRefresh }) });
    assert.equal(r.code, 0, r.stderr);
    const raw = readFileSync(homePaths(home).secretsFile);
    for (const secret of [canary, canaryRefresh]) {
      assert.equal(raw.indexOf(secret), -1);
      assert.equal(raw.indexOf(Buffer.from(secret).toString('base64').slice(0, 16)), -1);
    }
    const store = openTokenStore(homePaths(home), openStateStore(homePaths(home)), env);
    assert.equal((await store.read('svc'))?.refresh_token, canaryRefresh);
  });

  it('a wrong passphrase is a clear error', async () => {
    const home = tempHome();
    const r = await runBroker(['connect', 'svc', '--provider', 'google', '--token-stdin'], { env: { BROKER_HOME: home, BROKER_STORE: 'file', BROKER_PASSPHRASE: 'right' }, input: canary });
    assert.equal(r.code, 0, r.stderr);
    const store = openTokenStore(homePaths(home), openStateStore(homePaths(home)), { BROKER_STORE: 'file', BROKER_PASSPHRASE: 'wrong' });
    await assert.rejects(store.read('svc'), (err: BrokerError) => /BROKER_PASSPHRASE does not open/.test(err.message));
    const status = await store.status();
    assert.equal(status.available, false);
    assert.match(status.problem ?? '', /BROKER_PASSPHRASE does not open/);
    const again = await runBroker(['connect', 'other', '--provider', 'google', '--token-stdin'], { env: { BROKER_HOME: home, BROKER_STORE: 'file', BROKER_PASSPHRASE: 'wrong' }, input: 'x-token' });
    assert.equal(again.code, 2);
    assert.match(again.stderr, /BROKER_PASSPHRASE does not open .*secrets\.enc/);
  });

  it('without a passphrase it refuses, and never falls back to plaintext', async () => {
    const home = tempHome();
    const r = await runBroker(['connect', 'svc', '--provider', 'google', '--token-stdin'], { env: { BROKER_HOME: home, BROKER_STORE: 'file', BROKER_PASSPHRASE: '' }, input: canary });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /needs BROKER_PASSPHRASE/);
  });
});

describe('chooseBackend', () => {
  const table: Array<[Record<string, string | undefined>, string, RegExp]> = [
    [{}, 'keychain', /default/],
    [{ BROKER_STORE: 'keychain' }, 'keychain', /BROKER_STORE=keychain/],
    [{ BROKER_STORE: 'file' }, 'file', /BROKER_STORE=file/],
  ];
  for (const [env, backend, reason] of table) {
    it(`${JSON.stringify(env)} → ${backend}`, () => {
      const chosen = chooseBackend(env);
      assert.equal(chosen.backend, backend);
      assert.match(chosen.reason, reason);
    });
  }
  it('an unknown backend is a usage error', () => {
    assert.throws(() => chooseBackend({ BROKER_STORE: 'plaintext' }), (err: BrokerError) => err.exitCode === 2);
  });
});
