import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import http, { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { readEvents } from '../support/home-files.js';
import { runBroker } from '../support/run-broker.js';
import { eventually, startServe, type ServeProcess } from '../support/serve-process.js';
import { tempHome } from '../support/temp-home.js';

// `broker serve` (the built binary) in front of a local upstream that shows what it received:
// streaming both ways, headers in and out, the key never upstream, learned scope refusals, draining.

const upstreamToken = 'upstream-access-token-7d1c0b9e';
const home = tempHome();
const env = { BROKER_HOME: home };
let upstream: Server;
let upstreamUrl = '';
let serve: ServeProcess;
let key = '';
const seen: Array<{ method: string; url: string; headers: IncomingMessage['headers'] }> = [];
const gates = new Map<string, { open: () => void; opened: Promise<void> }>();

/** A promise the upstream waits on, opened by the test: "the first event is out, now send the next". */
function gate(name: string): { open: () => void; opened: Promise<void> } {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const g = { open, opened };
  gates.set(name, g);
  return g;
}

function handleUpstream(req: IncomingMessage, res: ServerResponse): void {
  seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
  const path = (req.url ?? '').split('?')[0];
  if (path === '/events') {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write('data: one\n\n');
    void gates.get('events')?.opened.then(() => res.end('data: two\n\n'));
    return;
  }
  if (path === '/upload') {
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      gates.get('first-chunk')?.open();
    });
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ bytes, chunked: req.headers['transfer-encoding'] === 'chunked' }));
    });
    return;
  }
  req.resume();
  if (path === '/echo') {
    res.writeHead(201, [
      ['content-type', 'application/json'],
      ['x-upstream', 'yes'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
      ['location', `${upstreamUrl}/echo/created/9`],
      ['link', `<${upstreamUrl}/echo?page=2>; rel="next", <${upstreamUrl}/echo?page=5>; rel="last"`],
    ].flat());
    res.end(JSON.stringify({ ok: true }));
    return;
  }
  if (path === '/repos/acme/private') {
    res.writeHead(403, { 'content-type': 'application/json', 'x-accepted-oauth-scopes': 'repo', 'x-oauth-scopes': 'read:user' });
    res.end(JSON.stringify({ message: 'Must have admin rights to Repository.', documentation_url: 'https://docs.github.com/rest' }));
    return;
  }
  if (path === '/compressed-error') {
    res.writeHead(400, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    res.end(gzipSync(JSON.stringify({ error: 'invalid_request', error_description: 'the widget is missing' })));
    return;
  }
  if (path === '/slow') {
    gates.get('slow-arrived')?.open();
    void gates.get('slow')?.opened.then(() => res.end('done'));
    return;
  }
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end('{"message":"Not Found"}');
}

const viaServe = (path: string, init: RequestInit & { key?: string | null } = {}): Promise<Response> => {
  const { key: k, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (k !== null) headers.set('authorization', `Bearer ${k ?? key}`);
  return fetch(`${serve.url}${path}`, { ...rest, headers });
};

before(async () => {
  upstream = createServer(handleUpstream);
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  for (const name of ['local', 'other']) {
    const r = await runBroker(['connect', name, '--provider', 'github', '--scopes', 'read:user', '--api-base-url', upstreamUrl, '--token-stdin'], { env, input: JSON.stringify({ access_token: `${upstreamToken}-${name}`, expires_in: 3600 }) });
    assert.equal(r.code, 0, r.stderr);
  }
  const agent = await runBroker(['agent', 'add', 'builder', '--conn', 'local'], { env });
  assert.equal(agent.code, 0, agent.stderr);
  key = agent.stdout.trim();
  serve = await startServe(env);
});
after(async () => {
  await serve.stop();
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});

const lastRequestEvent = () => readEvents(home).filter((e) => e.event === 'request').at(-1);

describe('broker serve in front of a local upstream', () => {
  it('listens on 127.0.0.1 and says so on its first stdout line', async () => {
    assert.match(serve.stdout(), /^listening on http:\/\/127\.0\.0\.1:\d+\n$/);
    await eventually(async () => /1 agent key/.test(serve.stderr()), 'the agent count on stderr');
  });

  it('status, headers and body come back unchanged; the key never reaches the upstream, the real token does', async () => {
    const answer = await viaServe('/local/echo?x=1', { headers: { 'x-custom': 'kept', cookie: 'session=abc' } });
    assert.equal(answer.status, 201);
    assert.equal(answer.headers.get('x-upstream'), 'yes');
    assert.deepEqual(answer.headers.getSetCookie(), ['a=1', 'b=2']);
    assert.deepEqual(await answer.json(), { ok: true });
    // Links back to the API point at serve, so following them keeps going through the broker.
    assert.equal(answer.headers.get('location'), `${serve.url}/local/echo/created/9`);
    assert.equal(answer.headers.get('link'), `<${serve.url}/local/echo?page=2>; rel="next", <${serve.url}/local/echo?page=5>; rel="last"`);
    const received = seen.at(-1)!;
    assert.equal(received.url, '/echo?x=1');
    assert.equal(received.headers.authorization, `Bearer ${upstreamToken}-local`);
    assert.equal(received.headers.host, new URL(upstreamUrl).host);
    assert.equal(received.headers['x-custom'], 'kept');
    assert.equal(received.headers.cookie, 'session=abc');
    assert.ok(!JSON.stringify(received.headers).includes('brk_'), 'no broker key upstream');
    const event = lastRequestEvent();
    assert.deepEqual([event?.conn, event?.agent, event?.method, event?.path, event?.status, event?.response_bytes], ['local', 'builder', 'GET', '/echo', 201, 11]);
  });

  it('server-sent events stream through: the first event arrives before the upstream sends the second', async () => {
    const release = gate('events');
    const answer = await viaServe('/local/events', { headers: { accept: 'text/event-stream' } });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('content-type'), 'text/event-stream');
    const reader = answer.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    assert.equal(first, 'data: one\n\n');
    release.open();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += new TextDecoder().decode(chunk.value);
    assert.equal(rest, 'data: two\n\n');
    assert.equal(lastRequestEvent()?.response_bytes, 22);
  });

  it('a chunked request body streams upstream: the upstream reads the first chunk before the caller sends the second', async () => {
    const firstChunk = gate('first-chunk');
    let push = (_: string | null): void => undefined;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        push = (text) => (text === null ? controller.close() : controller.enqueue(new TextEncoder().encode(text)));
      },
    });
    const answering = viaServe('/local/upload', { method: 'POST', body, duplex: 'half' } as RequestInit);
    push('a'.repeat(1000));
    await firstChunk.opened;
    push('b'.repeat(500));
    push(null);
    const answer = await answering;
    assert.deepEqual(await answer.json(), { bytes: 1500, chunked: true });
    const event = lastRequestEvent();
    assert.deepEqual([event?.method, event?.path, event?.request_bytes], ['POST', '/upload', 1500]);
  });

  it('a 403 naming the scope it needs: the next identical call is refused before it leaves, and the doctor names insufficient-scope', async () => {
    const first = await viaServe('/local/repos/acme/private');
    assert.equal(first.status, 403);
    assert.equal(((await first.json()) as { message: string }).message, 'Must have admin rights to Repository.');
    const hits = seen.filter((s) => s.url === '/repos/acme/private').length;
    const second = await viaServe('/local/repos/acme/private');
    assert.equal(second.status, 403);
    const body = (await second.json()) as { error: string; refused_by: string; message: string; fix: string };
    assert.deepEqual([body.error, body.refused_by], ['insufficient_scope', 'broker']);
    assert.match(body.message, /needs scope repo; the token has read:user/);
    assert.equal(body.fix, 'log in again with the missing scope: broker login local --scopes read:user,repo');
    assert.equal(seen.filter((s) => s.url === '/repos/acme/private').length, hits, 'the refused call was not sent');
    const event = lastRequestEvent();
    assert.deepEqual([event?.outcome, event?.reason, event?.status, event?.agent], ['refused', 'missing-scope', 403, 'builder']);
    const doctor = await runBroker(['doctor', '--json', '--conn', 'local'], { env });
    const findings = (JSON.parse(doctor.stdout) as { findings: Array<{ id: string; summary: string }> }).findings;
    assert.ok(findings.some((f) => f.id === 'insufficient-scope' && /needs scope repo/.test(f.summary)), doctor.stdout);
  });

  it('a compressed error body still gives the event the provider\'s error words', async () => {
    const answer = await viaServe('/local/compressed-error');
    assert.equal(answer.status, 400);
    assert.equal(((await answer.json()) as { error_description: string }).error_description, 'the widget is missing');
    const event = lastRequestEvent();
    assert.deepEqual([event?.error, event?.error_description], ['invalid_request', 'the widget is missing']);
  });

  it('a connection the key does not grant: 403 from the broker, nothing upstream', async () => {
    const before = seen.length;
    const answer = await viaServe('/other/echo');
    assert.equal(answer.status, 403);
    assert.match(((await answer.json()) as { message: string }).message, /agent "builder" may use "local", not "other"/);
    const unknown = await viaServe('/nowhere/echo');
    assert.equal(unknown.status, 403, 'an unknown connection looks the same: which ones exist is not told');
    assert.equal(seen.length, before);
    assert.deepEqual([lastRequestEvent()?.outcome, lastRequestEvent()?.reason], ['forbidden', 'connection-not-granted']);
  });

  it('used as an HTTP proxy (CONNECT, or an absolute URL) it says it is not one', async () => {
    const port = Number(new URL(serve.url).port);
    const connect = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'CONNECT', path: 'api.github.com:443' });
      req.once('connect', (res, socket) => {
        socket.destroy();
        resolve(res.statusCode ?? 0);
      });
      req.once('error', reject);
      req.end();
    });
    assert.equal(connect, 405);
    const absolute = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: 'http://api.github.com/user' }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.once('error', reject);
      req.end();
    });
    assert.equal(absolute.status, 400);
    assert.match(JSON.parse(absolute.body).message, /not an HTTP proxy/);
  });

  it('broker status shows serve: running, since when, calls per connection in the last hour', async () => {
    const r = await runBroker(['status'], { env });
    assert.match(r.stdout, new RegExp(`serve: running at ${serve.url.replace(/[.]/g, '\\.')} since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC \\(pid ${serve.pid}\\); last hour: local \\d+`));
    const env2 = await runBroker(['env', 'local', '--agent', 'builder'], { env });
    assert.equal(env2.code, 0, env2.stderr);
    assert.match(env2.stdout, new RegExp(`^export BROKER_URL=${serve.url}/local\\nexport BROKER_TOKEN_URL=${serve.url}/v1/token/local\\n`));
    assert.doesNotMatch(env2.stdout, /^export (HTTPS?_PROXY|NO_PROXY)/im);
  });

  it('SIGTERM: no new calls, the call in flight finishes, exit 0, serve.json removed', async () => {
    const arrived = gate('slow-arrived');
    const slow = gate('slow');
    const inFlight = viaServe('/local/slow');
    await arrived.opened;
    serve.signal('SIGTERM');
    await eventually(async () => /SIGTERM: no new calls/.test(serve.stderr()), 'serve to start draining');
    await assert.rejects(fetch(`${serve.url}/local/echo`, { headers: { authorization: `Bearer ${key}`, connection: 'close' } }), 'a new connection is refused while draining');
    slow.open();
    const answer = await inFlight;
    assert.equal(answer.status, 200);
    assert.equal(await answer.text(), 'done');
    assert.deepEqual(await serve.exited, { code: 0, signal: null });
    assert.ok(!existsSync(join(home, 'serve.json')), 'serve.json is removed on a clean stop');
    assert.equal(lastRequestEvent()?.path, '/slow');
  });

  it('--socket: the same service on a Unix socket (0600)', async () => {
    const socket = join(home, 'serve.sock');
    const unixServe = await startServe(env, ['--socket', socket]);
    try {
      assert.equal(unixServe.url, `unix:${socket}`);
      assert.equal(statSync(socket).mode & 0o777, 0o600);
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request({ socketPath: socket, path: '/local/echo', headers: { authorization: `token ${key}` } }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.once('error', reject);
        req.end();
      });
      assert.deepEqual(answer, { status: 201, body: '{"ok":true}' });
      const printed = await runBroker(['env', 'local', '--agent', 'builder'], { env });
      assert.match(printed.stdout, new RegExp(`^export BROKER_SOCKET=${socket}\n.*\nexport BROKER_URL=http://localhost/local\n`));
    } finally {
      assert.equal((await unixServe.stop()).code, 0);
    }
    assert.ok(!existsSync(socket), 'the socket file is removed on a clean stop');
  });
});
