import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { demoClients } from '../../src/adapters/local-providers.js';
import { brokerBin, runBroker } from '../support/run-broker.js';
import { poll } from '../support/tmux-terminal.js';

// `broker demo` piped and with --json: live local providers, the headline failures caused through
// the broker, the doctor's answer, and nothing left behind (its temporary home goes under TMPDIR).

const headline = ['client-secret-rotated billing-sync', 'refresh-race deploy-agent', 'idle-revoked nightly-report', 'wrong-installation gh-app-deploy', 'personal-in-ci dana-notes'];

function ownTmp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'broker-demo-test-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('broker demo --json', () => {
  it('prints the doctor\'s JSON naming the headline failures, active, and exits 1; the home is gone', async () => {
    const tmp = ownTmp();
    const started = Date.now();
    const r = await runBroker(['demo', '--json'], { env: { TMPDIR: tmp, BROKER_HOME: undefined } });
    const seconds = (Date.now() - started) / 1000;
    assert.equal(r.code, 1, r.stderr);
    const doc = JSON.parse(r.stdout) as { store: { backend: string }; findings: Array<{ id: string; conn: string; state: string; actions: Array<{ key: string }> }> };
    assert.equal(doc.store.backend, 'file');
    assert.deepEqual(doc.findings.map((f) => `${f.id} ${f.conn}`), headline, r.stdout);
    assert.ok(doc.findings.every((f) => f.state === 'active'));
    assert.deepEqual(Object.fromEntries(doc.findings.map((f) => [f.id, f.actions.map((a) => a.key).join('')])), {
      'client-secret-rotated': 'cp',
      'refresh-race': 'l',
      'idle-revoked': 'l',
      'wrong-installation': 'b',
      'personal-in-ci': '',
    });
    assert.match(r.stderr, /^ {2}OpenID provider {2}http:\/\/127\.0\.0\.1:\d+ /m, 'progress on stderr');
    assert.doesNotMatch(r.stderr, /✗/, r.stderr);
    assert.doesNotMatch(r.stderr, /oidc-provider WARNING/);
    for (const { clientSecret } of Object.values(demoClients)) assert.ok(!r.stdout.includes(clientSecret) && !r.stderr.includes(clientSecret), 'a client secret was printed');
    assert.deepEqual(readdirSync(tmp), [], 'the demo home is removed');
    process.stdout.write(`# broker demo --json: ${seconds.toFixed(1)} s from start to exit\n`);
  });
});

describe('broker demo (piped)', () => {
  it('prints the status grid and the doctor\'s report, exits 1, and removes its home', async () => {
    const tmp = ownTmp();
    const r = await runBroker(['demo'], { env: { TMPDIR: tmp, BROKER_HOME: undefined } });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^token store: file \(BROKER_STORE=file/m);
    for (const [name, health] of [['billing-sync', 'critical'], ['deploy-agent', 'critical'], ['nightly-report', 'critical'], ['gh-app-deploy', 'error'], ['dana-notes', 'warning'], ['wiki-search', 'ok']]) {
      assert.match(r.stdout, new RegExp(`^${name} .*\\b${health}$`, 'm'), `${name} ${health} in the grid`);
    }
    assert.match(r.stdout, /^5 findings: 3 critical, 1 error, 1 warning$/m);
    for (const line of headline) {
      const [id, conn] = line.split(' ');
      assert.match(r.stdout, new RegExp(`^[A-Z]+ .* \\(${conn}\\) \\[${id}\\]$`, 'm'));
    }
    assert.match(r.stdout, /deploy-agent: 2 processes refreshed the same token at .*revoked the whole token family/);
    assert.match(r.stdout, /billing-sync: the token endpoint rejects the client secret since .* \(invalid_client\); file:\S+ still holds the secret that worked/);
    assert.match(r.stdout, /nightly-report: refresh token unused for 20 days since .* \(OpenID Connect revokes after 14 days unused\); refresh at .* failed with invalid_grant/);
    assert.match(r.stdout, /gh-app-deploy: 1 request for repositories of globex were refused by the broker .*; installation 51 belongs to acme/);
    assert.match(r.stdout, /dana-notes: personal credential of dana@acme\.test asked for by CI once/);
    assert.deepEqual(readdirSync(tmp), []);
  });

  it('takes no arguments', async () => {
    const r = await runBroker(['demo', 'now'], { env: { TMPDIR: ownTmp() } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /demo takes no arguments/);
  });
});

describe('broker demo interrupted', () => {
  it('SIGINT while its agents race: they are killed, the home is removed, it exits 130', async () => {
    const tmp = ownTmp();
    const child = spawn(process.execPath, [brokerBin, 'demo', '--json'], { env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // The two `broker token` processes of the race, running (they wait on the provider's hold).
    const agents = await poll(() => {
      const found = spawnSync('pgrep', ['-P', String(child.pid), '-f', 'broker.mjs token'], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);
      return found.length === 2 ? found.map(Number) : undefined;
    }, () => `the racing agents; stderr: ${stderr}`);
    assert.equal(readdirSync(tmp).length, 1, 'the home is there');
    child.kill('SIGINT');
    assert.equal(await exited, 130, stderr);
    assert.deepEqual(readdirSync(tmp), [], 'the home is removed');
    await poll(() => (agents.every((pid) => !alive(pid)) ? true : undefined), () => 'the agents to be gone');
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
