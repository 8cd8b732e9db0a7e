import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startGithubStandin, type GithubStandin } from '../../fixtures/providers/github-standin.js';
import { readEvents } from '../support/home-files.js';
import { runBroker } from '../support/run-broker.js';
import { startServe, type ServeProcess } from '../support/serve-process.js';
import { tempHome } from '../support/temp-home.js';

// Identity before the call (issue 8, seed 2): a GitHub App connection asked for another owner's
// repository through serve is refused before anything is sent, and the doctor names
// wrong-installation from that refused event alone (no 404 ever happened).

describe('serve with a GitHub App connection against the stand-in', () => {
  let gh: GithubStandin;
  let serve: ServeProcess;
  let key = '';
  const home = tempHome();
  const env = { BROKER_HOME: home };

  before(async () => {
    gh = await startGithubStandin();
    const { privateKeyPem } = gh.addApp(4242);
    gh.addInstallation({ id: 777, appId: 4242, account: 'acme' });
    gh.addInstallation({ id: 888, appId: 4242, account: 'globex' });
    gh.addRepo('acme/api');
    gh.addRepo('globex/billing');
    const keyFile = join(home, 'app.pem');
    writeFileSync(keyFile, privateKeyPem, { mode: 0o600 });
    const r = await runBroker(['connect', 'acme-bot', '--provider', 'github-app', '--app-id', '4242', '--installation', '777', '--installation-account', 'acme', '--private-key-file', keyFile, '--api-base-url', gh.url], { env });
    assert.equal(r.code, 0, r.stderr);
    const agent = await runBroker(['agent', 'add', 'deploy-bot', '--conn', 'acme-bot'], { env });
    assert.equal(agent.code, 0, agent.stderr);
    key = agent.stdout.trim();
    serve = await startServe(env);
  });
  after(async () => {
    await serve.stop();
    await gh.close();
  });

  const viaServe = (path: string) => fetch(`${serve.url}${path}`, { headers: { authorization: `token ${key}`, accept: 'application/vnd.github+json' } });

  it('a repository of the installation\'s own account goes through: 200 with the installation token', async () => {
    const answer = await viaServe('/acme-bot/repos/acme/api');
    assert.equal(answer.status, 200);
    assert.equal(((await answer.json()) as { full_name: string }).full_name, 'acme/api');
    assert.equal(gh.requests.at(-1)?.authorization, 'Bearer');
  });

  it('another owner\'s repository is refused before it is sent, naming the installation that covers it', async () => {
    const sentBefore = gh.requests.filter((r) => r.path === '/repos/globex/billing').length;
    const answer = await viaServe('/acme-bot/repos/globex/billing');
    assert.equal(answer.status, 403);
    const body = (await answer.json()) as { error: string; refused_by: string; message: string; fix: string; covering_installation: { id: number; account: string } };
    assert.equal(body.error, 'wrong_installation');
    assert.equal(body.refused_by, 'broker');
    assert.match(body.message, /"acme-bot" is installation 777 of GitHub App 4242 on acme; globex\/billing belongs to globex/);
    assert.deepEqual(body.covering_installation, { id: 888, account: 'globex' });
    assert.match(body.fix, /installation 888 of GitHub App 4242 covers globex: connect it \(broker connect globex-bot --provider github-app --app-id 4242 --installation 888 --installation-account globex/);
    assert.equal(gh.requests.filter((r) => r.path === '/repos/globex/billing').length, sentBefore, 'nothing was sent for globex/billing');
    assert.ok(gh.requests.some((r) => r.path === '/app/installations' && r.status === 200), 'the installations were listed with the App JWT');
    const refused = readEvents(home).filter((e) => e.event === 'request').at(-1);
    assert.deepEqual(
      [refused?.conn, refused?.agent, refused?.path, refused?.status, refused?.outcome, refused?.reason, refused?.covering_installation],
      ['acme-bot', 'deploy-bot', '/repos/globex/billing', 403, 'refused', 'wrong-installation', 888],
    );
  });

  it('broker doctor names wrong-installation from the refused event alone', async () => {
    const lines = readFileSync(join(home, 'logs', 'events.jsonl'), 'utf8').split('\n');
    const refusedLine = lines.findIndex((l) => l.includes('"outcome":"refused"')) + 1;
    assert.ok(!lines.some((l) => /"status":404/.test(l)), 'no 404 is in the log: the doctor has only the refusal');
    const doctor = await runBroker(['doctor', '--json', '--conn', 'acme-bot'], { env });
    const findings = (JSON.parse(doctor.stdout) as { findings: Array<{ id: string; summary: string; evidence: Array<{ line: number }> }> }).findings;
    const finding = findings.find((f) => f.id === 'wrong-installation');
    assert.ok(finding, doctor.stdout);
    assert.match(finding.summary, /acme-bot: 1 request for repositories of globex .*installation 777 belongs to acme/);
    assert.match(finding.summary, /agent deploy-bot/);
    assert.deepEqual(finding.evidence.map((e) => e.line), [refusedLine]);
    assert.equal(doctor.code, 1);
  });

  it('broker api runs the same check: refused before sending, logged the same way', async () => {
    const sentBefore = gh.requests.filter((r) => r.path === '/repos/globex/billing').length;
    const r = await runBroker(['api', 'acme-bot', '/repos/globex/billing'], { env });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /refused before sending: "acme-bot" is installation 777 of GitHub App 4242 on acme/);
    assert.match(r.stderr, /fix: installation 888 of GitHub App 4242 covers globex/);
    assert.equal(gh.requests.filter((q) => q.path === '/repos/globex/billing').length, sentBefore);
    const refused = readEvents(home).filter((e) => e.event === 'request').at(-1);
    assert.deepEqual([refused?.outcome, refused?.reason, refused?.covering_installation], ['refused', 'wrong-installation', 888]);
  });

  it('a connection of this home that covers the owner is named first', async () => {
    const keyFile = join(home, 'app.pem');
    const r = await runBroker(['connect', 'globex-bot', '--provider', 'github-app', '--app-id', '4242', '--installation', '888', '--installation-account', 'globex', '--private-key-file', keyFile, '--api-base-url', gh.url], { env });
    assert.equal(r.code, 0, r.stderr);
    const answer = await viaServe('/acme-bot/repos/globex/billing');
    assert.equal(answer.status, 403);
    assert.match(((await answer.json()) as { fix: string }).fix, /use connection "globex-bot", whose installation covers globex/);
  });
});
