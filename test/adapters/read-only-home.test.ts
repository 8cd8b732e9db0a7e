import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { brokerBin, runBroker, type BrokerRun } from '../support/run-broker.js';
import { tempHome } from '../support/temp-home.js';

// Issue 11 item 12: BROKER_HOME pointing at a file, or a read-only home, gave "unexpected error:
// EEXIST/EROFS" on nearly every command, `token` with a cached token included.

/** Runs the broker with its home bind-mounted read-only, in a private mount namespace (unshare -rm). */
function runReadOnly(home: string, args: string[], input = ''): Promise<BrokerRun> {
  return new Promise((resolve, reject) => {
    const script = 'mount --bind -o ro "$1" "$1" && shift && exec "$@"';
    const child = spawn('unshare', ['-rm', 'sh', '-c', script, 'sh', home, process.execPath, brokerBin, ...args], { env: { ...process.env, BROKER_HOME: home }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

async function homeWithCachedToken(): Promise<string> {
  const home = tempHome();
  const expiresAt = new Date(Date.now() + 3600_000).toISOString();
  const r = await runBroker(['connect', 'svc', '--provider', 'github', '--token-stdin'], { env: { BROKER_HOME: home }, input: JSON.stringify({ access_token: 'gho_cached_ro', expires_at: expiresAt }) });
  assert.equal(r.code, 0, r.stderr);
  return home;
}

describe('a read-only home', () => {
  it('broker token still hands out a cached token, and says what it could not record', async () => {
    const home = await homeWithCachedToken();
    const r = await runReadOnly(home, ['token', 'svc']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'gho_cached_ro\n');
    assert.match(r.stderr, /warning: events are not being logged: cannot append to .*events\.jsonl: the file system is read-only \(EROFS\)/);
    assert.match(r.stderr, /warning: lastUsedAt not recorded: .*read-only \(EROFS\)/);
    assert.doesNotMatch(r.stderr, /unexpected error/);
  });

  for (const args of [['status'], ['status', '--json'], ['doctor', '--json'], ['log']]) {
    it(`broker ${args.join(' ')} reads it as usual`, async () => {
      const home = await homeWithCachedToken();
      const r = await runReadOnly(home, args);
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /unexpected error|EROFS/);
    });
  }

  const writers: Array<[string[], string]> = [
    [['refresh', 'svc'], 'locks/svc.lock'],
    [['remove', 'svc'], 'locks/svc.lock'],
    [['connect', 'new', '--provider', 'slack', '--token-stdin'], 'locks/.state.lock'],
  ];
  for (const [args, path] of writers) {
    it(`broker ${args.slice(0, 2).join(' ')} fails in one line naming what it could not write`, async () => {
      const home = await homeWithCachedToken();
      const r = await runReadOnly(home, args, 'xoxb-new');
      assert.equal(r.code, 1, r.stderr);
      assert.ok(r.stderr.startsWith(`broker: cannot take the lock ${join(home, path)}: the file system is read-only (EROFS)\n`), r.stderr);
      assert.doesNotMatch(r.stderr, /unexpected error/);
    });
  }

  it('a fresh read-only folder: status reads it as empty; the first connect says in one line what it cannot create', async () => {
    const home = tempHome();
    const status = await runReadOnly(home, ['status']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /no connections/i);
    const r = await runReadOnly(home, ['connect', 'new', '--provider', 'slack', '--token-stdin'], 'xoxb-new');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^broker: cannot create .*: the file system is read-only \(EROFS\)$/m);
  });
});

describe('BROKER_HOME that is a file', () => {
  for (const args of [['status'], ['status', '--json'], ['doctor'], ['token', 'svc'], ['log'], ['refresh', 'svc'], ['connect', 'svc', '--provider', 'slack', '--token-stdin']]) {
    it(`broker ${args.slice(0, 2).join(' ')}: exit 2, "… is not a folder"`, async () => {
      const file = join(tempHome(), 'not-a-folder');
      writeFileSync(file, 'x');
      const r = await runBroker(args, { env: { BROKER_HOME: file }, input: 'xoxb-x' });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /is not a folder\n/);
      assert.doesNotMatch(r.stderr, /unexpected error/);
    });
  }

  it('a file where logs/ or locks/ should be is named', async () => {
    const home = tempHome();
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'locks'), 'x');
    const r = await runBroker(['connect', 'svc', '--provider', 'slack', '--token-stdin'], { env: { BROKER_HOME: home }, input: 'xoxb-x' });
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.includes(`the broker home folder ${join(home, 'locks')} is not a folder`), r.stderr);
  });
});
