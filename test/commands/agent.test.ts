import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { agentCommand } from '../../src/commands/agent.js';
import { createDeps, type Deps } from '../../src/commands/deps.js';
import { envCommand } from '../../src/commands/env.js';
import { agentKeyHash } from '../../src/core/agent-keys.js';
import { BrokerError } from '../../src/core/broker-error.js';
import { exitCodes } from '../../src/core/exit-codes.js';
import { ConnectionSchema } from '../../src/core/state-schema.js';
import { writeServeRuntime } from '../../src/adapters/serve/runtime-file.js';
import { capturedIo } from '../support/captured-io.js';
import { tempHome } from '../support/temp-home.js';

// `broker agent` and `broker env`, run in-process on a real home (state.json through conf).

async function home(): Promise<{ root: string; deps: (env?: Record<string, string>) => Deps & { io: ReturnType<typeof capturedIo> } }> {
  const root = tempHome();
  const deps = (env: Record<string, string> = {}) => {
    const io = capturedIo();
    return { ...createDeps({ io, env, home: root, mode: 'text', now: () => new Date('2026-12-01T10:00:00.000Z') }), io };
  };
  const state = deps().state();
  await state.add(ConnectionSchema.parse({ name: 'gh-work', provider: 'github', kind: 'service', createdAt: '2026-11-01T00:00:00.000Z' }));
  await state.add(ConnectionSchema.parse({ name: 'gh-sam', provider: 'github', kind: 'personal', account: 'sam', createdAt: '2026-11-01T00:00:00.000Z' }));
  return { root, deps };
}

const run = (deps: Deps, argv: { values: Record<string, string | boolean>; positionals: string[] }) => agentCommand.run(agentCommand.parse(argv.values, argv.positionals), deps);

describe('broker agent', () => {
  it('add prints the key once on stdout; state keeps its sha256 only; list shows the fingerprint', async () => {
    const { root, deps } = await home();
    const d = deps();
    assert.equal(await run(d, { values: { conn: 'gh-work,gh-sam', ci: true }, positionals: ['add', 'ci-runner'] }), exitCodes.ok);
    const key = d.io.out().trim();
    assert.match(key, /^brk_[A-Za-z0-9_-]{43}$/);
    assert.match(d.io.err(), /shown only now/);
    assert.match(d.io.err(), /gh-sam is personal: serve proxies calls for this CI key but will not hand out its token/);
    const stateText = readFileSync(join(root, 'state.json'), 'utf8');
    assert.ok(!stateText.includes(key), 'the key is not in state.json');
    const agent = (JSON.parse(stateText) as { agents: Record<string, unknown> }).agents['ci-runner'];
    assert.deepEqual(agent, { name: 'ci-runner', keyHash: agentKeyHash(key), connections: ['gh-work', 'gh-sam'], ci: true, createdAt: '2026-12-01T10:00:00.000Z' });

    const listed = deps();
    await run(listed, { values: {}, positionals: ['list'] });
    assert.equal(listed.io.out(), `AGENT      CONNECTIONS     CI   KEY FP        CREATED\nci-runner  gh-work,gh-sam  yes  ${agentKeyHash(key).slice(0, 12)}  2026-12-01 10:00:00\n`);
    const json = deps();
    await run(json, { values: { json: true }, positionals: ['list'] });
    assert.deepEqual(JSON.parse(json.io.out()), { agents: [{ name: 'ci-runner', connections: ['gh-work', 'gh-sam'], ci: true, keyFp: agentKeyHash(key).slice(0, 12), createdAt: '2026-12-01T10:00:00.000Z' }] });
  });

  it('refuses an unknown connection, a second agent of the same name, and bad usage (exit 2)', async () => {
    const { deps } = await home();
    await assert.rejects(run(deps(), { values: { conn: 'nope' }, positionals: ['add', 'a'] }), (err: BrokerError) => err.exitCode === exitCodes.usage && /no connection named "nope"/.test(err.message));
    await run(deps(), { values: { conn: 'gh-work' }, positionals: ['add', 'a'] });
    await assert.rejects(run(deps(), { values: { conn: 'gh-work' }, positionals: ['add', 'a'] }), /an agent named "a" already exists/);
    const usage: Array<[Record<string, string | boolean>, string[]]> = [
      [{}, ['add', 'a']],
      [{ conn: 'gh-work' }, ['add']],
      [{ conn: 'gh-work' }, ['add', 'bad name']],
      [{}, ['remove']],
      [{}, ['list', 'x']],
      [{}, ['rotate', 'a']],
      [{}, []],
    ];
    for (const [values, positionals] of usage) {
      assert.throws(() => agentCommand.parse(values, positionals), (err: BrokerError) => err.exitCode === exitCodes.usage, `${JSON.stringify(values)} ${positionals.join(' ')}`);
    }
  });

  it('remove deletes the agent: its key no longer matches anything', async () => {
    const { root, deps } = await home();
    await run(deps(), { values: { conn: 'gh-work' }, positionals: ['add', 'a'] });
    const removed = deps();
    assert.equal(await run(removed, { values: {}, positionals: ['remove', 'a'] }), exitCodes.ok);
    assert.match(removed.io.err(), /its key no longer works/);
    assert.deepEqual((JSON.parse(readFileSync(join(root, 'state.json'), 'utf8')) as { agents: object }).agents, {});
    await assert.rejects(run(deps(), { values: {}, positionals: ['remove', 'a'] }), /no agent named "a"/);
  });
});

describe('broker env', () => {
  const env = (deps: Deps, name: string, values: Record<string, string | boolean>) => envCommand.run(envCommand.parse(values, [name]), deps);

  it('prints the base URL, the token URL and the key variable; never sets a proxy variable', async () => {
    const { deps } = await home();
    await run(deps(), { values: { conn: 'gh-work' }, positionals: ['add', 'builder'] });
    const d = deps({ HTTPS_PROXY: 'http://proxy.corp:3128' });
    assert.equal(await env(d, 'gh-work', { agent: 'builder' }), exitCodes.ok);
    const lines = d.io.out().split('\n');
    assert.equal(lines[0], 'export BROKER_URL=http://127.0.0.1:7998/gh-work');
    assert.equal(lines[1], 'export BROKER_TOKEN_URL=http://127.0.0.1:7998/v1/token/gh-work');
    assert.match(lines[2] ?? '', /^# BROKER_KEY: the brk_… key `broker agent add builder` printed once \(key fp [0-9a-f]{12}\)/);
    assert.ok(!lines.some((l) => /^export (HTTPS?_PROXY|NO_PROXY|https?_proxy|no_proxy)=/.test(l)));
    assert.match(d.io.err(), /serve is not running for this home/);
  });

  it('uses the running serve\'s URL; warns when HTTP_PROXY would catch calls to 127.0.0.1', async () => {
    const { deps } = await home();
    await run(deps(), { values: { conn: 'gh-work' }, positionals: ['add', 'builder'] });
    writeServeRuntime(deps().paths, { pid: process.pid, host: hostname(), url: 'http://127.0.0.1:40123', started: '2026-12-01T09:00:00.000Z' });
    const d = deps({ HTTP_PROXY: 'http://proxy.corp:3128', NO_PROXY: '.corp' });
    await env(d, 'gh-work', { agent: 'builder' });
    assert.match(d.io.out(), /^export BROKER_URL=http:\/\/127\.0\.0\.1:40123\/gh-work\n/);
    assert.match(d.io.out(), /# note: HTTP_PROXY is set and NO_PROXY does not list 127\.0\.0\.1/);
    assert.equal(d.io.err(), '');
    const exempt = deps({ HTTP_PROXY: 'http://proxy.corp:3128', NO_PROXY: '.corp,127.0.0.1' });
    await env(exempt, 'gh-work', { agent: 'builder' });
    assert.doesNotMatch(exempt.io.out(), /# note/);
    const json = deps();
    await env(json, 'gh-work', { agent: 'builder', json: true });
    const doc = JSON.parse(json.io.out()) as Record<string, unknown>;
    assert.equal(doc.baseUrl, 'http://127.0.0.1:40123/gh-work');
    assert.equal(doc.keyVariable, 'BROKER_KEY');
    assert.deepEqual(doc.serve, { running: true, url: 'http://127.0.0.1:40123' });
  });

  it('a CI key and a personal connection: no token URL, only the proxy', async () => {
    const { deps } = await home();
    await run(deps(), { values: { conn: 'gh-sam', ci: true }, positionals: ['add', 'ci'] });
    const d = deps();
    await env(d, 'gh-sam', { agent: 'ci' });
    assert.doesNotMatch(d.io.out(), /BROKER_TOKEN_URL=/);
    assert.match(d.io.out(), /# no BROKER_TOKEN_URL: "gh-sam" is personal and "ci" is a CI key/);
  });

  it('exit 2: unknown connection, unknown agent, an agent not granted the connection, no --agent', async () => {
    const { deps } = await home();
    await run(deps(), { values: { conn: 'gh-work' }, positionals: ['add', 'builder'] });
    await assert.rejects(env(deps(), 'nope', { agent: 'builder' }), /no connection named "nope"/);
    await assert.rejects(env(deps(), 'gh-work', { agent: 'nobody' }), /no agent named "nobody"/);
    await assert.rejects(env(deps(), 'gh-sam', { agent: 'builder' }), (err: BrokerError) => err.exitCode === exitCodes.usage && /may not use "gh-sam"/.test(err.message));
    assert.throws(() => envCommand.parse({}, ['gh-work']), /env needs --agent/);
  });
});

