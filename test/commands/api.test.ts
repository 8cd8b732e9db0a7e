import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { requestEvent } from '../../src/commands/api.js';
import { exitCodes } from '../../src/core/exit-codes.js';
import { readEvents } from '../support/home-files.js';
import { startHostileProvider, type HostileProvider } from '../support/hostile-provider.js';
import { runBroker } from '../support/run-broker.js';
import { tempHome } from '../support/temp-home.js';

describe('requestEvent', () => {
  const url = new URL('https://api.github.com/repos/globex/billing?token=secret-in-query');

  it('keeps host, path without the query, status, the docs/design.md §3 headers and GitHub\'s message', () => {
    const event = requestEvent(
      'bot',
      'GET',
      {
        finalUrl: url,
        status: 403,
        durationMs: 12,
        headers: { date: 'Sun, 22 Nov 2026 08:00:00 GMT', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1789725110', 'x-accepted-github-permissions': 'contents=read', server: 'GitHub.com' },
        body: JSON.stringify({ message: 'API rate limit exceeded for installation ID 1.', documentation_url: 'https://docs.github.com/rest' }),
      },
      'abcdefabcdef',
    );
    assert.deepEqual(event, {
      event: 'request',
      conn: 'bot',
      method: 'GET',
      target: 'api.github.com',
      path: '/repos/globex/billing',
      status: 403,
      at_fp: 'abcdefabcdef',
      duration_ms: 12,
      date: 'Sun, 22 Nov 2026 08:00:00 GMT',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': '1789725110',
      'x-accepted-github-permissions': 'contents=read',
      error_description: 'API rate limit exceeded for installation ID 1.',
    });
  });

  it('OAuth-style and Slack-style error fields, even on HTTP 200; nothing from a success body', () => {
    const slack = requestEvent('s', 'POST', { finalUrl: new URL('https://slack.com/api/chat.postMessage'), status: 200, durationMs: 1, headers: {}, body: '{"ok":false,"error":"missing_scope","needed":"chat:write"}' }, 'f');
    assert.equal(slack.error, 'missing_scope');
    const ok = requestEvent('s', 'GET', { finalUrl: new URL('https://api.github.com/repos/a/b'), status: 200, durationMs: 1, headers: {}, body: '{"message":"a field of a repo"}' }, 'f');
    assert.equal(ok.error_description, undefined);
    const html = requestEvent('s', 'GET', { finalUrl: new URL('https://api.github.com/x'), status: 502, durationMs: 1, headers: {}, body: '<html>bad gateway</html>' }, 'f');
    assert.equal(html.error, undefined);
  });
});

async function connectGithub(home: string, name: string, apiBaseUrl: string, token: string): Promise<void> {
  const r = await runBroker(['connect', name, '--provider', 'github', '--api-base-url', apiBaseUrl, '--token-stdin'], { env: { BROKER_HOME: home }, input: token });
  assert.equal(r.code, 0, r.stderr);
}

describe('broker api against an API that echoes the bearer token (issue 11 item 2)', () => {
  let hostile: HostileProvider;
  before(async () => {
    hostile = await startHostileProvider();
  });
  after(() => hostile.close());
  const token = 'fake-api-token-Zq81Lx0Wv3';

  it('the token is cut out of the event, the printed body and headers, and the reason phrase; the API\'s words stay', async () => {
    const home = tempHome();
    await connectGithub(home, 'gh', `${hostile.url}/api`, token);
    const runs = [await runBroker(['api', 'gh', '/user'], { env: { BROKER_HOME: home } }), await runBroker(['api', 'gh', '/forbidden', '--json'], { env: { BROKER_HOME: home } })];
    for (const r of runs) assert.equal(r.code, exitCodes.failed, r.stderr);
    const requests = readEvents(home).filter((e) => e.event === 'request');
    assert.deepEqual(requests.map((e) => e.status), [401, 403]);
    for (const e of requests) assert.match(String(e.error_description), /^\[redacted access_token\]/);
    assert.match(runs[1]!.stdout, /"message": "Bad credentials: \[redacted access_token\]/);
    const everything = JSON.stringify(requests) + runs.map((r) => r.stdout + r.stderr).join('');
    for (let i = 0; i + 8 <= token.length; i++) assert.ok(!everything.includes(token.slice(i, i + 8)), `"${token.slice(i, i + 8)}" of the token is still there`);
    assert.ok(hostile.received().includes(token), 'the API was sent the token it echoed');
  });
});

describe('broker api and the outbound policy (issue 11 item 3)', () => {
  let api: Server;
  let other: Server;
  let apiOrigin = '';
  let otherOrigin = '';
  const reachedOther: Array<{ method?: string; authorization?: string; body: string }> = [];
  const listen = async (server: Server, host = '127.0.0.1') => {
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    return (server.address() as AddressInfo).port;
  };
  const bodyOf = (req: IncomingMessage) => new Promise<string>((resolve) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => resolve(text));
  });
  before(async () => {
    other = createServer(async (req, res) => {
      reachedOther.push({ method: req.method, authorization: req.headers.authorization, body: await bodyOf(req) });
      res.end('{}');
    });
    // Dual-stack, so an IPv4-mapped address would reach it.
    otherOrigin = `http://localhost:${await listen(other, '::')}`;
    api = createServer(async (req, res) => {
      await bodyOf(req);
      if (req.url === '/moved') {
        res.writeHead(302, { location: '/repos/acme/app' });
        return res.end();
      }
      if (req.url === '/repos/acme/app/issues') {
        res.writeHead(307, { location: `${otherOrigin}/collect` });
        return res.end();
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ at: req.url }));
    });
    apiOrigin = `http://127.0.0.1:${await listen(api)}`;
  });
  after(() => {
    api.close();
    other.close();
  });

  it('a same-origin redirect is followed and the request event records where the answer came from', async () => {
    const home = tempHome();
    await connectGithub(home, 'gh', apiOrigin, 'fake-api-token-Rd4Tq9');
    const r = await runBroker(['api', 'gh', '/moved'], { env: { BROKER_HOME: home } });
    assert.equal(r.code, exitCodes.ok, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { at: '/repos/acme/app' });
    const [event] = readEvents(home).filter((e) => e.event === 'request');
    assert.deepEqual([event?.target, event?.path, event?.status, event?.redirects], [new URL(apiOrigin).host, '/repos/acme/app', 200, 1]);
  });

  it('a 307 to another origin is not followed: the POST body and the token stay; the event says where it pointed', async () => {
    const home = tempHome();
    await connectGithub(home, 'gh', apiOrigin, 'fake-api-token-Rd4Tq9');
    const r = await runBroker(['api', 'gh', '/repos/acme/app/issues', '-X', 'POST', '-d', '{"title":"fake issue body"}'], { env: { BROKER_HOME: home } });
    assert.equal(r.code, exitCodes.failed, r.stderr);
    assert.match(r.stderr, /not following the redirect to localhost:\d+: another origin/);
    assert.deepEqual(reachedOther, []);
    const [event] = readEvents(home).filter((e) => e.event === 'request');
    assert.deepEqual([event?.status, event?.path, event?.redirect_refused], [307, '/repos/acme/app/issues', new URL(otherOrigin).host]);
  });

  it('plain http to [::ffff:127.0.0.1] is refused before anything is sent (the OAuth path agrees)', async () => {
    const home = tempHome();
    await connectGithub(home, 'gh', `http://[::ffff:127.0.0.1]:${new URL(otherOrigin).port}`, 'fake-api-token-Rd4Tq9');
    const r = await runBroker(['api', 'gh', '/user'], { env: { BROKER_HOME: home } });
    assert.equal(r.code, exitCodes.usage, r.stderr);
    assert.match(r.stderr, /refusing plain http:\/\/ to a non-loopback host \(\[::ffff:7f00:1\]:\d+\)/);
    assert.deepEqual(reachedOther, []);
  });
});
