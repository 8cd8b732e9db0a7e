import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { homePaths } from '../../src/adapters/home.js';
import { formatLogLine } from '../../src/output/log-text.js';
import { runBroker } from '../support/run-broker.js';
import { tempHome } from '../support/temp-home.js';

const canaryAccess = 'canary-access-5f1e9a7c3b';
const canaryBearer = 'ghp_CanaryBearerToken0123456789abcdef';

describe('broker log', () => {
  const home = tempHome('broker-log-');
  const now = Date.now();
  const ago = (ms: number): string => new Date(now - ms).toISOString();
  const hour = 3_600_000;

  before(() => {
    const paths = homePaths(home);
    mkdirSync(paths.logs, { recursive: true });
    const lines = [
      JSON.stringify({ ts: ago(3 * 24 * hour), event: 'refresh', conn: 'github-work', pid: 4410, host: 'build-7', trigger: 'proactive', outcome: 'ok', rt_fp: 'aaaaaaaaaaaa' }),
      JSON.stringify({ ts: ago(2 * hour), event: 'refresh', conn: 'github-work', pid: 4412, host: 'build-7', trigger: 'reactive', outcome: 'error', status: 400, error: 'invalid_grant', rt_fp: 'bbbbbbbbbbbb' }),
      '{"ts":"not json at all',
      JSON.stringify({ ts: ago(hour), event: 'request', conn: 'github-work', pid: 4412, host: 'build-7', method: 'GET', target: 'api.github.com', path: '/repos/x\u001b[2J\u001b]0;owned\u0007\u009b31m', status: 200, access_token: canaryAccess }),
      JSON.stringify({ ts: ago(30 * 60_000), event: 'request', conn: 'slack-bot', pid: 5001, host: 'ci-3', method: 'POST', target: 'slack.com', path: '/api/chat.postMessage', status: 200, note: `Authorization: Bearer ${canaryBearer}` }),
    ];
    writeFileSync(paths.events, `${lines.join('\n')}\n`);
  });

  function assertClean(stdout: string): void {
    assert.ok(!stdout.includes('\u001b'), 'an escape byte reached stdout');
    assert.ok(!stdout.includes('\u009b'), 'an 8-bit CSI reached stdout');
    assert.ok(!stdout.includes('\u0007'), 'a BEL reached stdout');
    assert.ok(!stdout.includes(canaryAccess), 'the canary access token reached stdout');
    assert.ok(!stdout.includes(canaryBearer), 'the canary bearer token reached stdout');
  }

  it('prints the last 24 hours, one redacted line per event, with the skipped count on stderr', async () => {
    const r = await runBroker(['log'], { env: { BROKER_HOME: home } });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0] ?? '', /^\S+Z {2}github-work {2}refresh {2}.*error=invalid_grant/);
    assert.match(lines[1] ?? '', /github-work {2}request .*path=\/repos\/x/);
    assert.doesNotMatch(lines[1] ?? '', /access_token/, 'a field the request schema does not name is dropped, never shown');
    assert.match(lines[2] ?? '', /slack-bot {2}request/);
    assertClean(r.stdout);
    assert.match(r.stderr, /3 event\(s\) in the last 24h/);
    assert.match(r.stderr, /1 line\(s\) skipped/);
  });

  it('--since all reaches the older refresh; --conn keeps one connection', async () => {
    const all = await runBroker(['log', '--since', 'all', '--conn', 'github-work'], { env: { BROKER_HOME: home } });
    assert.equal(all.code, 0, all.stderr);
    const lines = all.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0] ?? '', /github-work {2}refresh .*trigger=proactive/);
    assert.ok(lines.every((l) => l.includes('github-work')));
    assertClean(all.stdout);
  });

  it('--json prints one document with the window, counts and events, still clean', async () => {
    const r = await runBroker(['log', '--json', '--since', '7d'], { env: { BROKER_HOME: home } });
    assert.equal(r.code, 0, r.stderr);
    assertClean(r.stdout);
    const doc = JSON.parse(r.stdout) as { window: { since: string; until: string }; linesRead: number; linesSkipped: number; files: string[]; events: Array<{ file: string; line: number; event: Record<string, unknown> }> };
    assert.equal(Date.parse(doc.window.until) - Date.parse(doc.window.since), 7 * 24 * hour);
    assert.equal(doc.linesRead, 5);
    assert.equal(doc.linesSkipped, 1);
    assert.deepEqual(doc.files, ['events.jsonl']);
    assert.deepEqual(doc.events.map((e) => [e.file, e.line, e.event.event, e.event.conn]), [
      ['events.jsonl', 1, 'refresh', 'github-work'],
      ['events.jsonl', 2, 'refresh', 'github-work'],
      ['events.jsonl', 4, 'request', 'github-work'],
      ['events.jsonl', 5, 'request', 'slack-bot'],
    ]);
    // The control characters survive as JSON escapes, so the data is intact for a program.
    assert.equal(doc.events[2]?.event.path, '/repos/x\u001b[2J\u001b]0;owned\u0007\u009b31m');
    assert.equal(doc.events[2]?.event.access_token, undefined);
  });

  it('an empty home prints nothing and says so', async () => {
    const r = await runBroker(['log'], { env: { BROKER_HOME: tempHome('broker-log-empty-') } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /0 event\(s\).*no log file/);
  });

  it('a bad --since is a usage error naming the accepted forms', async () => {
    const r = await runBroker(['log', '--since', 'yesterday'], { env: { BROKER_HOME: home } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--since "yesterday" is not a duration/);
    assert.match(r.stderr, /24h/);
  });
});

describe('formatLogLine', () => {
  it('puts time, connection and event first, quotes values with spaces and replaces controls', () => {
    const line = formatLogLine({
      file: 'events.jsonl',
      line: 7,
      t: 0,
      event: { ts: '2026-11-22T03:01:12.000Z', event: 'refresh', conn: 'w', trigger: 'reactive', outcome: 'error', error_description: 'Token has been expired\u001b[0m or revoked.' },
    });
    assert.equal(line, '2026-11-22T03:01:12.000Z  w  refresh  trigger=reactive  outcome=error  error_description="Token has been expired\\u001b[0m or revoked."');
  });
});
