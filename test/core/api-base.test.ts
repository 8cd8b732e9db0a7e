import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apiBaseOf, apiUrl } from '../../src/core/api-base.js';
import { ConnectionSchema } from '../../src/core/state-schema.js';

const conn = (fields: Record<string, unknown>) => ConnectionSchema.parse({ name: 'c', kind: 'service', createdAt: '2026-11-22T00:00:00.000Z', ...fields });

describe('apiBaseOf', () => {
  it('the public API per provider, the connection\'s apiBaseUrl when set, the issuer for oidc', () => {
    assert.equal(apiBaseOf(conn({ provider: 'github-app' })), 'https://api.github.com');
    assert.equal(apiBaseOf(conn({ provider: 'slack' })), 'https://slack.com/api');
    assert.equal(apiBaseOf(conn({ provider: 'github', apiBaseUrl: 'http://127.0.0.1:4000/' })), 'http://127.0.0.1:4000');
    assert.equal(apiBaseOf(conn({ provider: 'oidc', issuer: 'https://id.example.test' })), 'https://id.example.test');
  });
});

describe('apiUrl', () => {
  it('keeps the base\'s path prefix and the query', () => {
    assert.equal(apiUrl('https://slack.com/api', '/auth.test').href, 'https://slack.com/api/auth.test');
    assert.equal(apiUrl('https://ghe.example.test/api/v3/', 'repos/o/r?per_page=1').href, 'https://ghe.example.test/api/v3/repos/o/r?per_page=1');
    assert.equal(apiUrl('https://api.github.com', '/user').href, 'https://api.github.com/user');
  });
});
