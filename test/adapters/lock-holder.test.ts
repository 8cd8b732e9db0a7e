import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { homePaths, internalLockPath } from '../../src/adapters/home.js';
import { takeLockDir } from '../../src/adapters/lock-dir.js';
import { takeOverFromDeadHolder } from '../../src/adapters/lock-holder.js';
import { runBroker } from '../support/run-broker.js';
import { tempHome } from '../support/temp-home.js';

const pidSpace = readlinkSync('/proc/self/ns/pid');
/** The pid of a process that has exited: nothing runs under it now. */
const deadPid = (): number => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
const sleeper = spawn('sleep', ['600']);
after(() => sleeper.kill());

function lockHeldBy(dir: string, owner: string | undefined, ageMs = 0): string {
  const lock = join(dir, 'x.lock');
  mkdirSync(lock);
  if (owner !== undefined) writeFileSync(join(lock, 'owner'), owner);
  const at = new Date(Date.now() - ageMs);
  utimesSync(lock, at, at);
  return lock;
}

describe('a lock whose holder died', () => {
  it('held by a process of this machine that no longer exists: taken over', () => {
    const lock = lockHeldBy(tempHome(), `${hostname()} ${deadPid()} ${pidSpace}\n`);
    assert.equal(takeOverFromDeadHolder(lock), true);
    assert.equal(existsSync(lock), false);
  });

  it('held by a live process: left alone, its owner file in place', () => {
    const owner = `${hostname()} ${sleeper.pid} ${pidSpace}\n`;
    const lock = lockHeldBy(tempHome(), owner);
    assert.equal(takeOverFromDeadHolder(lock), false);
    assert.deepEqual(readdirSync(lock), ['owner']);
    assert.equal(readFileSync(join(lock, 'owner'), 'utf8'), owner);
  });

  it('held on another host, or in another pid namespace (a container sharing the home): left alone, whatever the pid', () => {
    for (const owner of [`elsewhere ${deadPid()} ${pidSpace}\n`, `${hostname()} ${deadPid()} pid:[1]\n`]) {
      const lock = lockHeldBy(tempHome(), owner);
      assert.equal(takeOverFromDeadHolder(lock), false, owner);
      assert.ok(existsSync(join(lock, 'owner')));
    }
  });

  it('without an owner: left alone while new (its holder is naming itself), taken over once it has had none for seconds', () => {
    const fresh = lockHeldBy(tempHome(), undefined);
    assert.equal(takeOverFromDeadHolder(fresh), false);
    const old = lockHeldBy(tempHome(), undefined, 5_000);
    assert.equal(takeOverFromDeadHolder(old), true);
  });

  it('the state lock of a broker killed while holding it does not make the next command wait for it to go stale', async () => {
    const home = tempHome();
    const paths = homePaths(home);
    mkdirSync(paths.locks, { recursive: true });
    // What a broker SIGKILLed while holding the state lock leaves behind: the folder, naming it.
    const lock = internalLockPath(paths, 'state');
    mkdirSync(lock);
    writeFileSync(join(lock, 'owner'), `${hostname()} ${deadPid()} ${pidSpace}\n`);
    const started = performance.now();
    const r = await runBroker(['connect', 'svc', '--provider', 'slack', '--token-stdin'], { env: { BROKER_HOME: home }, input: 'xoxb-after-a-crash' });
    const took = performance.now() - started;
    assert.equal(r.code, 0, r.stderr);
    assert.ok(took < 5_000, `took ${Math.round(took)} ms: it waited for the dead holder's lock to go stale (10 s)`);
  });
});

describe('a lock taken by this process', () => {
  it('names its holder while held, and goes as a whole on release', async () => {
    const home = tempHome();
    const lock = join(home, 'y.lock');
    const release = await takeLockDir(lock, { what: 'the test lock', retries: { retries: 0, minTimeout: 1, maxTimeout: 1 } });
    assert.equal(readFileSync(join(lock, 'owner'), 'utf8'), `${hostname()} ${process.pid} ${pidSpace}\n`);
    assert.equal(takeOverFromDeadHolder(lock), false, 'a live holder (this process) is never taken over');
    await release();
    assert.equal(existsSync(lock), false);
  });
});
