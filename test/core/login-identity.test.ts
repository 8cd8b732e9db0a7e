import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkLoginIdentity, identityFromAnswer, loginScopes } from '../../src/core/login-identity.js';

describe('checkLoginIdentity', () => {
  const cases: Array<{ expected?: string; identity: string; aliases?: string[]; ok: boolean; why: string }> = [
    { expected: 'alice@example.test', identity: 'alice@example.test', ok: true, why: 'same email' },
    { expected: 'Alice@Example.test', identity: 'alice@example.test', ok: true, why: 'emails compare without case' },
    { expected: 'octocat', identity: 'OctoCat', ok: true, why: 'GitHub logins compare without case' },
    { expected: 'sub-123', identity: 'alice@example.test', aliases: ['sub-123'], ok: true, why: 'the account written as the subject' },
    { expected: 'alice@example.test', identity: 'mallory@example.test', aliases: ['mallory'], ok: false, why: 'another person' },
    { expected: 'alice', identity: 'alice@example.test', ok: false, why: 'a prefix is not the account' },
    { expected: undefined, identity: 'whoever', ok: true, why: 'no account set: the first login pins it' },
  ];
  for (const c of cases) {
    it(c.why, () => {
      const result = checkLoginIdentity(c.expected, { identity: c.identity, aliases: c.aliases ?? [] });
      assert.equal(result.ok, c.ok);
      assert.equal(result.identity, c.identity);
      if (!result.ok) {
        assert.ok(result.message.includes(c.identity) && result.message.includes(c.expected ?? ''), 'the message names both identities');
        assert.match(result.message, /nothing was stored/);
      }
    });
  }
});

describe('identityFromAnswer', () => {
  it('takes the first present account field and keeps the other names as aliases', () => {
    assert.deepEqual(identityFromAnswer({ sub: 's-1', email: 'a@b.test' }, ['email', 'sub']), { identity: 'a@b.test', aliases: ['s-1'] });
    assert.deepEqual(identityFromAnswer({ login: 'octocat', id: 1 }, ['login']), { identity: 'octocat', aliases: [] });
  });
  it('follows dotted paths through arrays', () => {
    const answer = { total_count: 1, repositories: [{ owner: { login: 'acme' } }] };
    assert.equal(identityFromAnswer(answer, ['repositories.0.owner.login'])?.identity, 'acme');
  });
  it('undefined when no field is present', () => {
    assert.equal(identityFromAnswer({ message: 'Bad credentials' }, ['login']), undefined);
    assert.equal(identityFromAnswer('not json', ['login']), undefined);
  });
});

describe('loginScopes', () => {
  it('keeps the connection\'s scopes and adds the requested ones once', () => {
    assert.deepEqual(loginScopes(['repo', 'read:org'], ['read:org', 'workflow']), ['repo', 'read:org', 'workflow']);
  });
  it('falls back to the provider defaults only when nothing is set or asked', () => {
    assert.deepEqual(loginScopes([], [], ['openid', 'offline_access']), ['openid', 'offline_access']);
    assert.deepEqual(loginScopes([], ['email'], ['openid']), ['email']);
  });
});
