import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { missingScope, refusalAnswer, refusalEvent, repoOwnerOf, scopeHintFrom, wrongInstallation } from '../../src/core/preflight.js';
import { errorSpike } from '../../src/core/rules/error-spike.js';
import { insufficientScope } from '../../src/core/rules/insufficient-scope.js';
import { rateLimited } from '../../src/core/rules/rate-limited.js';
import { wrongInstallation as wrongInstallationRule } from '../../src/core/rules/wrong-installation.js';
import { T0, check, conn, found } from '../support/facts.js';

const app = conn({ name: 'acme-bot', provider: 'github-app', appId: 4242, installation: { id: 777, account: 'acme' } });
const oauth = conn({ name: 'gh', provider: 'github', scopes: ['read:user'] });
const api = (path: string) => new URL(`https://api.github.com${path}`);

describe('wrongInstallation (identity before the call)', () => {
  const cases: Array<[string, typeof app, string, string | undefined]> = [
    ['another owner\'s repository', app, '/repos/globex/billing', 'globex'],
    ['deeper under another owner\'s repository', app, '/repos/globex/billing/pulls/3', 'globex'],
    ['the installation\'s own owner, any case', app, '/repos/ACME/api/issues', undefined],
    ['not a repository path', app, '/installation/repositories', undefined],
    ['users are public, not installation-bound', app, '/users/globex', undefined],
    ['an OAuth connection is not bound to an installation', oauth, '/repos/globex/billing', undefined],
  ];
  for (const [name, connection, path, owner] of cases) {
    it(`${name}: ${path} → ${owner ?? 'sent'}`, () => {
      const refusal = wrongInstallation(connection, path);
      assert.equal(refusal?.reason === 'wrong-installation' ? refusal.owner : undefined, owner);
    });
  }
  it('repoOwnerOf reads /repos/OWNER/REPO only', () => {
    assert.equal(repoOwnerOf('/repos/a/b'), 'a');
    assert.equal(repoOwnerOf('/repos/a'), undefined);
    assert.equal(repoOwnerOf('/orgs/a/repos'), undefined);
  });
});

describe('the refusal: answer and event', () => {
  const refusal = wrongInstallation(app, '/repos/globex/billing')!;

  it('names the installation that covers the owner, and how to connect it', () => {
    const { status, body } = refusalAnswer(app, 'GET', '/repos/globex/billing', refusal, { installation: { id: 888, account: 'globex' } });
    assert.equal(status, 403);
    assert.equal(body.error, 'wrong_installation');
    assert.match(body.message, /installation 777 of GitHub App 4242 on acme; globex\/billing belongs to globex/);
    assert.match(body.fix, /installation 888 of GitHub App 4242 covers globex: connect it \(broker connect globex-bot --provider github-app --app-id 4242 --installation 888 --installation-account globex/);
    assert.deepEqual(body.covering_installation, { id: 888, account: 'globex' });
  });

  it('prefers a connection of this home that covers the owner; says so when none is known', () => {
    assert.match(refusalAnswer(app, 'GET', '/repos/globex/billing', refusal, { connection: 'globex-bot' }).body.fix, /use connection "globex-bot"/);
    assert.match(refusalAnswer(app, 'GET', '/repos/globex/billing', refusal, {}).body.fix, /no installation on globex that the broker can see: install it on globex/);
  });

  it('the refused event is enough for the doctor: wrong-installation names it, and no rule mistakes it for a provider answer', () => {
    const event = refusalEvent('acme-bot', 'GET', api('/repos/globex/billing'), refusal, { installation: { id: 888, account: 'globex' } });
    assert.deepEqual(event, { event: 'request', conn: 'acme-bot', method: 'GET', target: 'api.github.com', path: '/repos/globex/billing', status: 403, duration_ms: 0, outcome: 'refused', reason: 'wrong-installation', covering_installation: 888 });
    const input = { connections: [app], events: [{ ts: new Date(T0 - 60_000).toISOString(), ...event, agent: 'deploy-bot' }] };
    assert.deepEqual(found(wrongInstallationRule, input), ['acme-bot error']);
    assert.deepEqual(found(insufficientScope, input), []);
    assert.deepEqual(found(rateLimited, input), []);
    assert.deepEqual(found(errorSpike, input), []);
  });
});

describe('missing scope, known in advance', () => {
  it('a 403 naming accepted scopes the token lacks is a hint; a 403 without, a 200, or a granted scope is not', () => {
    assert.deepEqual(scopeHintFrom(403, { 'x-accepted-oauth-scopes': 'repo', 'x-oauth-scopes': 'read:user, gist' }, 'T'), { accepted: ['repo'], granted: ['read:user', 'gist'], seenAt: 'T' });
    assert.deepEqual(scopeHintFrom(403, { 'x-accepted-github-permissions': 'contents=write' }, 'T'), { accepted: [], granted: [], permission: 'contents=write', seenAt: 'T' });
    assert.equal(scopeHintFrom(403, {}, 'T'), undefined);
    assert.equal(scopeHintFrom(200, { 'x-accepted-oauth-scopes': 'repo', 'x-oauth-scopes': '' }, 'T'), undefined);
    assert.equal(scopeHintFrom(403, { 'x-accepted-oauth-scopes': 'repo', 'x-oauth-scopes': 'repo' }, 'T'), undefined);
    assert.equal(scopeHintFrom(404, { 'x-accepted-github-permissions': 'metadata=read' }, 'T'), undefined);
  });

  it('the refusal says what is needed and how to get it; its event lets insufficient-scope name the scope', () => {
    const refusal = missingScope(scopeHintFrom(403, { 'x-accepted-oauth-scopes': 'repo', 'x-oauth-scopes': 'read:user' }, '2026-11-22T08:59:00.000Z'))!;
    const { body } = refusalAnswer(oauth, 'GET', '/repos/acme/private', refusal);
    assert.equal(body.error, 'insufficient_scope');
    assert.match(body.message, /GET \/repos\/acme\/private needs scope repo; the token has read:user/);
    assert.equal(body.fix, 'log in again with the missing scope: broker login gh --scopes read:user,repo');
    const event = refusalEvent('gh', 'GET', api('/repos/acme/private'), refusal);
    const findings = check(insufficientScope, { connections: [oauth], events: [{ ts: new Date(T0 - 60_000).toISOString(), ...event }] });
    assert.equal(findings.length, 1);
    assert.match(findings[0]?.summary ?? '', /needs scope repo, the token has read:user/);
  });
});
