import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startOidcProvider, type RunningOidcProvider } from '../../fixtures/providers/oidc-provider-server.js';
import { clientSecretFromSource, loadClientSecret, maxClientSecretBytes } from '../../src/adapters/client-secret.js';
import { readPrivateKeyFile } from '../../src/adapters/github-app-token.js';
import { refreshUnderLock } from '../../src/adapters/refresh-under-lock.js';
import { readBoundedRegularFile } from '../../src/adapters/regular-file.js';
import { BrokerError } from '../../src/core/broker-error.js';
import { exitCodes } from '../../src/core/exit-codes.js';
import { oidcDeps, seedOidcConnection } from '../support/oidc-connection.js';
import { tempHome } from '../support/temp-home.js';

// Issue 11 item 4: `--client-secret-from file:PATH` sent whatever the file held: /proc/self/environ
// sent the broker's environment (BROKER_PASSPHRASE included), /dev/zero ran out of memory, a FIFO
// hung for ever. A secret source is now a bounded read of a regular file, refused fast otherwise.

const dir = tempHome('broker-files-');
const fifo = join(dir, 'secret.fifo');
before(() => execFileSync('mkfifo', [fifo]));

function refusal(read: () => unknown): BrokerError {
  try {
    read();
  } catch (err) {
    assert.ok(err instanceof BrokerError, `expected a BrokerError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the read to be refused');
}

// Each case would hang (FIFO) or exhaust memory (/dev/zero) on the old reader: a deadline turns that into a failure.
const fast = { timeout: 5000 };

describe('readBoundedRegularFile', () => {
  it('reads a regular file up to the bound', () => {
    const path = join(dir, 'ok.txt');
    writeFileSync(path, 'fake-secret-line\n');
    assert.equal(readBoundedRegularFile(path, { maxBytes: 64 }).toString('utf8'), 'fake-secret-line\n');
    const link = join(dir, 'link.txt');
    symlinkSync(path, link);
    assert.equal(readBoundedRegularFile(link, { maxBytes: 64 }).toString('utf8'), 'fake-secret-line\n', 'a symbolic link to a regular file (a mounted Kubernetes secret) is fine');
  });

  const refused: Array<[string, () => string, RegExp]> = [
    ['a FIFO, at once, without a writer', () => fifo, /is not a regular file \(it is a FIFO\)/],
    ['/dev/zero', () => '/dev/zero', /is not a regular file \(it is a character device\)/],
    ['/proc/self/environ (reports 0 bytes, holds the environment)', () => '/proc/self/environ', /reports 0 bytes but holds more/],
    ['a directory', () => dir, /is not a regular file \(it is a directory\)/],
    ['a missing file', () => join(dir, 'missing'), /does not exist/],
  ];
  for (const [what, path, problem] of refused) {
    it(`refuses ${what}, naming the path`, fast, () => {
      const err = refusal(() => readBoundedRegularFile(path(), { maxBytes: 64, what: 'the test file' }));
      assert.match(err.message, problem);
      assert.ok(err.message.includes(`the test file (${path()})`), err.message);
    });
  }

  it('refuses a file over the bound without reading it', () => {
    const path = join(dir, 'big.txt');
    writeFileSync(path, 'x'.repeat(100));
    assert.match(refusal(() => readBoundedRegularFile(path, { maxBytes: 64 })).message, /is 100 bytes; at most 64 are read/);
  });
});

describe('file: client secrets', () => {
  const connection = (source: string) => ({ name: 'c1', clientSecretSource: source }) as Parameters<typeof loadClientSecret>[0];
  const deps = { env: {}, appendEvent: () => {} };

  it('one line, trailing newline dropped', () => {
    const path = join(dir, 'client-secret.txt');
    writeFileSync(path, 'fake-client-secret-1\r\n', { mode: 0o600 });
    assert.equal(loadClientSecret(connection(`file:${path}`), null, deps).secret, 'fake-client-secret-1');
  });

  for (const [what, path] of [
    ['file:/proc/self/environ', '/proc/self/environ'],
    ['file:/dev/zero', '/dev/zero'],
    ['a FIFO', fifo],
  ] as const) {
    it(`${what} is refused fast with the connection and the path named`, fast, () => {
      const err = refusal(() => loadClientSecret(connection(`file:${path}`), null, deps));
      assert.equal(err.exitCode, exitCodes.failed);
      assert.match(err.message, new RegExp(`^the client secret file of "c1" \\(${path.replace(/[/.]/g, '\\$&')}\\) `));
    });
  }

  it('a file that holds more than one line (a whole config, an environment dump) is not a secret', () => {
    const path = join(dir, 'two-lines.txt');
    writeFileSync(path, 'FAKE_A=1\nFAKE_B=2\n');
    assert.match(refusal(() => clientSecretFromSource('c1', `file:${path}`, null, {})).message, /more than one line or control characters/);
    const big = join(dir, 'big-secret.txt');
    writeFileSync(big, 'y'.repeat(maxClientSecretBytes + 1));
    assert.match(refusal(() => clientSecretFromSource('c1', `file:${big}`, null, {})).message, /at most 65536 are read/);
  });

  it('the missing keychain secret names a way to store it, not the login that asks for nothing', () => {
    const err = refusal(() => clientSecretFromSource('c1', 'keychain', null, {}));
    assert.match(err.message, /kept in the keychain, and none is stored/);
    assert.match(err.hint ?? '', /--client-secret-stdin/);
    assert.doesNotMatch(err.hint ?? '', /broker login/);
  });
});

describe('--private-key-file reads the same way', () => {
  it('a FIFO and /dev/zero are refused as bad input', fast, () => {
    for (const path of [fifo, '/dev/zero']) {
      const err = refusal(() => readPrivateKeyFile(path));
      assert.equal(err.exitCode, exitCodes.usage);
      assert.match(err.message, /--private-key-file .* is not a regular file/);
    }
  });
});

describe('a refresh whose secret source is file:/proc/self/environ', () => {
  let op: RunningOidcProvider;
  before(async () => {
    op = await startOidcProvider();
  });
  after(() => op.close());

  it('never reaches the provider: the environment (BROKER_PASSPHRASE) stays on this machine', async () => {
    const home = join(dir, 'home');
    mkdirSync(home);
    const deps = oidcDeps(op, home, { env: { BROKER_PASSPHRASE: 'fake-passphrase-7e1d' } });
    await seedOidcConnection(deps, op, 'svc');
    await deps.state().update('svc', (c) => ({ ...c, clientSecretSource: 'file:/proc/self/environ' }));
    op.resetStats();
    await assert.rejects(refreshUnderLock(deps, { conn: 'svc', trigger: 'manual' }), /\/proc\/self\/environ\) reports 0 bytes but holds more/);
    assert.equal(op.stats().tokenRequests, 0);
  });
});
