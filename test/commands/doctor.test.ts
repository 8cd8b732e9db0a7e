import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadScenario, scenarioNames, type ExpectedFinding } from '../../fixtures/scenarios/load-scenario.js';
import { runBroker, type BrokerRun } from '../support/run-broker.js';
import { tempHome } from '../support/temp-home.js';

const proxyVars = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy', 'NO_PROXY', 'no_proxy'];

/** A temporary BROKER_HOME holding a scenario's state.json and events.jsonl. */
function seedHome(name: string): string {
  const scenario = loadScenario(name);
  const home = tempHome('broker-doctor-');
  mkdirSync(join(home, 'logs'), { recursive: true, mode: 0o700 });
  chmodSync(home, 0o700);
  copyFileSync(join(scenario.dir, 'state.json'), join(home, 'state.json'));
  copyFileSync(join(scenario.dir, 'events.jsonl'), join(home, 'logs', 'events.jsonl'));
  // The token-store-damaged scenario: plant entries that are not token bundles (its home id is its own).
  for (const conn of scenario.expected.store?.damaged ?? []) {
    execFileSync('secret-tool', ['store', '--label', 'damaged by the test', 'service', `broker:${scenario.state.homeId}`, 'username', conn], { input: '{"access_token": 42}' });
  }
  return home;
}

/** The child's environment: this session's (for the keychain), without ambient proxies, plus the scenario's. */
function envFor(home: string, name: string): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, BROKER_HOME: home };
  for (const v of proxyVars) delete env[v];
  Object.assign(env, loadScenario(name).expected.env ?? {});
  const store = loadScenario(name).expected.store;
  // The store-unavailable scenario: a PostgreSQL store at a port where nothing listens.
  if (store?.backend === 'postgres') Object.assign(env, unreachablePostgres);
  // The keychain-unavailable scenario: point the Secret Service client at a bus that does not exist.
  else if (store?.available === false) env.DBUS_SESSION_BUS_ADDRESS = 'unix:path=/nonexistent/broker-test-bus';
  return env;
}

const unreachablePostgres = { BROKER_STORE: 'postgres', BROKER_DATABASE_URL: 'postgres://broker:not-a-real-password@127.0.0.1:1/broker', BROKER_PASSPHRASE: 'doctor-test' };
/** A scenario whose store is the shared database, which does not answer: the state and the log are in it, so none is read. */
const unreachable = (name: string) => loadScenario(name).expected.store?.backend === 'postgres';

async function doctor(name: string, args: string[], home = seedHome(name)): Promise<BrokerRun> {
  const now = loadScenario(name).expected.now;
  // Spawn with an explicit env object: runBroker merges process.env, so removed proxy variables are blanked here.
  const env = envFor(home, name);
  for (const v of proxyVars) if (!(v in env)) env[v] = '';
  return runBroker(['doctor', '--now', now, ...args], { env });
}

const key = (f: ExpectedFinding) => `${f.id} ${f.conn ?? '-'} ${f.severity} ${f.state ?? 'active'}`;
const failing = (findings: ExpectedFinding[]) => findings.some((f) => (f.state ?? 'active') === 'active' && (f.severity === 'critical' || f.severity === 'error'));
const controlBytes = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('broker doctor --json over every scenario', () => {
  for (const name of scenarioNames()) {
    it(name, async () => {
      const expected = loadScenario(name).expected;
      const r = await doctor(name, ['--json', '--since', 'all']);
      assert.equal(r.code, failing(expected.findings) ? 1 : 0, r.stderr);
      const doc = JSON.parse(r.stdout);
      assert.deepEqual(doc.findings.map(key).sort(), expected.findings.map(key).sort(), r.stdout.slice(0, 2000));
      assert.equal(doc.window.until, expected.now);
      assert.equal(doc.window.since, null);
      assert.equal(doc.linesSkipped, 0);
      assert.ok(unreachable(name) ? doc.linesRead === 0 : doc.linesRead > 0);
      assert.deepEqual(doc.connections.map((c: { name: string }) => c.name).sort(), unreachable(name) ? [] : Object.keys(loadScenario(name).state.connections).sort());
      if (unreachable(name)) assert.deepEqual(doc.store, expected.store, 'the store as the scenario says, naming the database but not its password');
      for (const f of doc.findings) {
        assert.ok(f.evidence.every((e: { file: string; line: number; ts: string; text: string }) => typeof e.text === 'string' && typeof e.line === 'number'));
        assert.ok(f.actions.every((a: { key: string; action: string; label: string }) => a.key.length === 1 && a.label.length > 0));
      }
    });
  }
});

describe('broker doctor (piped text)', () => {
  it('healthy: no findings, exit 0, says where the tokens are and what it read', async () => {
    const r = await doctor('healthy', []);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^store: keychain \(default: the OS keychain\)$/m);
    assert.match(r.stdout, /^window: 2026-11-21 09:00:00 UTC to 2026-11-22 09:00:00 UTC; \d+ log lines read, 0 skipped$/m);
    assert.match(r.stdout, /No active findings: all 3 connections are healthy now\./);
  });

  it('several failures: most severe first, each with summary, evidence and the runbook fix; exit 1 like --json', async () => {
    const home = seedHome('several-failures');
    const text = await doctor('several-failures', [], home);
    const json = await doctor('several-failures', ['--json'], home);
    assert.equal(text.code, 1);
    assert.equal(json.code, 1);
    const headings = [...text.stdout.matchAll(/^(CRITICAL|ERROR|WARNING|INFO) .* \[([a-z-]+)\]$/gm)].map((m) => `${m[1]} ${m[2]}`);
    assert.deepEqual(headings, ['CRITICAL refresh-race', 'ERROR wrong-installation', 'WARNING personal-in-ci', 'INFO rate-limited']);
    assert.match(text.stdout, /agent-oidc: 2 processes refreshed the same token at 08:30:00 UTC; pid 3120 on agent-host-1/);
    assert.match(text.stdout, /events\.jsonl:\d+ {2}2026-11-22T08:30:00\.240Z {2}refresh agent-oidc .*error=invalid_grant/);
    assert.match(text.stdout, /fix \(runbooks\/refresh-race\.md\):\n {4}1\. If the summary says the family was revoked/);
    assert.match(text.stdout, /actions: \[r\] Refresh now under the lock/);
    const doc = JSON.parse(json.stdout);
    assert.deepEqual(doc.findings.map((f: { id: string }) => f.id), ['refresh-race', 'wrong-installation', 'personal-in-ci', 'rate-limited']);
    assert.deepEqual(doc.findings[0].actions.map((a: { key: string }) => a.key), ['r', 'l']);
  });

  it('rate limits alone are info: exit 0', async () => {
    const r = await doctor('rate-limited', []);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^INFO Rate limited \(github-work\) \[rate-limited\]$/m);
  });

  it('--conn narrows to one connection; an unknown one is bad usage', async () => {
    const home = seedHome('several-failures');
    const one = await doctor('several-failures', ['--json', '--conn', 'alice-github'], home);
    assert.equal(one.code, 0, one.stderr);
    assert.deepEqual(JSON.parse(one.stdout).findings.map((f: { id: string }) => f.id), ['personal-in-ci']);
    const unknown = await doctor('several-failures', ['--conn', 'nope'], home);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no connection named "nope"/);
  });

  it('--since bounds the window: a race 30 minutes ago is outside --since 10m, but state.json still says the refresh fails now', async () => {
    const r = await doctor('refresh-race-oidc', ['--json', '--since', '10m']);
    assert.equal(r.code, 1, r.stderr);
    const [finding, ...more] = JSON.parse(r.stdout).findings;
    assert.deepEqual(more, []);
    assert.equal(finding.id, 'refresh-token-revoked');
    assert.equal(finding.evidence[0].file, 'state.json lastError');
    const bad = await doctor('healthy', ['--since', 'yesterday']);
    assert.equal(bad.code, 2);
  });
});

describe('broker doctor on a hostile log', () => {
  it('survives malformed lines, a 10 MB line, invalid UTF-8 and escape sequences; counts skips; no escape byte or secret reaches stdout', async () => {
    const home = seedHome('healthy');
    const log = join(home, 'logs', 'events.jsonl');
    const canary = 'ghs_CanaryCanaryCanary0123456789abcd';
    const evilPath = '/repos/evil\u001b]0;pwned\u0007/x\u001b[2J\u009b31m';
    appendFileSync(log, '{"ts":"2026-11-22T08:40:00.000Z","event":"request",\n');
    appendFileSync(log, `${'x'.repeat(10 * 1024 * 1024)}\n`);
    appendFileSync(log, Buffer.concat([Buffer.from('{"ts":"2026-11-22T08:41:00.000Z","event":"tok'), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from('\n')]));
    appendFileSync(log, Buffer.from([0x80, 0x81, 0xfe, 0x0a]));
    appendFileSync(log, `${JSON.stringify({ ts: '2026-11-22T08:42:00.000Z', event: 'request', conn: 'gh-app-acme', method: 'GET', target: 'api.github.com', path: evilPath, status: 404, authorization: `Bearer ${canary}`, error_description: `token ${canary}`, pid: 9931, host: 'ci-runner-3', ci: true })}\n`);
    const text = await doctor('healthy', [], home);
    const json = await doctor('healthy', ['--json'], home);
    for (const r of [text, json]) {
      assert.equal(r.code, 1, r.stderr);
      assert.doesNotMatch(r.stdout, controlBytes, 'a control character reached stdout');
      assert.ok(!r.stdout.includes(canary), 'the canary token reached stdout');
    }
    const doc = JSON.parse(json.stdout);
    assert.deepEqual(doc.findings.map((f: { id: string }) => f.id), ['wrong-installation']);
    assert.ok(doc.linesSkipped >= 3, `linesSkipped ${doc.linesSkipped}`);
    assert.match(text.stdout, new RegExp(`log lines read, ${doc.linesSkipped} skipped`));
    assert.match(doc.findings[0].summary, /repositories of evil/);
  });
});
