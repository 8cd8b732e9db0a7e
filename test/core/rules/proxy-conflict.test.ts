import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { proxyConflict } from '../../../src/core/rules/proxy-conflict.js';
import { at, check, conn, expectFindings, expecting, minute, type Expected, type RuleCase } from '../../support/facts.js';

// Proxy variables that disagree, or a corporate proxy the broker's local destinations do not bypass. About the environment now: nothing resolves it.

const gh = conn({ name: 'gh', provider: 'github', account: 'bot' });
const oidcLocal = conn({ name: 'o', provider: 'oidc', issuer: 'http://127.0.0.1:4010' });
/** Cites `count` environment variables (a setting has no log line: line 0). */
const conflict = (count: number, summary?: string | RegExp): Expected => ({ ...expecting('proxy-conflict', 'warning')(null, 'active', Array(count).fill(0), summary), files: Array(count).fill('environment') });

const table: RuleCase[] = [
  { name: 'local HTTPS_PROXY and corporate https_proxy', input: { connections: [gh], env: { HTTPS_PROXY: 'http://127.0.0.1:8899', https_proxy: 'http://proxy.corp:3128' } }, expected: [conflict(2, 'Proxy settings conflict: HTTPS_PROXY points at the local broker (http://127.0.0.1:8899) while https_proxy points at http://proxy.corp:3128: tools disagree on which proxy they use')] },
  { name: 'both cases agree → quiet', input: { connections: [gh], env: { HTTPS_PROXY: 'http://proxy.corp:3128', https_proxy: 'http://proxy.corp:3128' } }, expected: [] },
  { name: 'corporate proxy and a loopback issuer missing from NO_PROXY', input: { connections: [oidcLocal], env: { HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: 'localhost' } }, expected: [conflict(2, "Proxy settings conflict: NO_PROXY lacks 127.0.0.1, so the broker's requests there go through http://proxy.corp:3128")] },
  { name: 'loopback issuer listed in NO_PROXY → quiet', input: { connections: [oidcLocal], env: { HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: 'localhost,127.0.0.1' } }, expected: [] },
  { name: 'no proxy at all → quiet', input: { connections: [oidcLocal], env: {} }, expected: [] },
  { name: 'no NO_PROXY at all: only the proxy is cited', input: { connections: [oidcLocal], env: { HTTP_PROXY: 'http://proxy.corp:3128' } }, expected: [conflict(1, /^Proxy settings conflict: no_proxy lacks 127\.0\.0\.1/)] },
  { name: 'no_proxy "*" bypasses everything', input: { connections: [oidcLocal], env: { HTTPS_PROXY: 'http://proxy.corp:3128', no_proxy: '*' } }, expected: [] },
  { name: 'an internal API base is bypassed by its domain suffix', input: { connections: [conn({ name: 'ghe', provider: 'github', apiBaseUrl: 'https://ghe.acme.corp/api/v3' })], env: { HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: '.acme.corp' } }, expected: [] },
  { name: 'an internal API base missing from NO_PROXY', input: { connections: [conn({ name: 'ghe', provider: 'github', apiBaseUrl: 'https://ghe.acme.corp/api/v3' })], env: { HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: 'localhost' } }, expected: [conflict(2, /NO_PROXY lacks ghe\.acme\.corp,/)] },
  { name: 'a public destination needs no bypass', input: { connections: [gh], env: { HTTPS_PROXY: 'http://proxy.corp:3128' } }, expected: [] },
  { name: 'the log does not matter', input: { connections: [gh], events: [{ ts: at(-minute), event: 'request', conn: 'gh', method: 'GET', target: '127.0.0.1', path: '/', status: 200 }] }, expected: [] },
  {
    name: 'hostile values (escape sequences, 100,000-character proxy URLs) → no throw, printable evidence',
    input: { connections: [oidcLocal], env: { HTTPS_PROXY: `http://127.0.0.1:8899/\u001b[2J${'x'.repeat(100_000)}`, https_proxy: `http://\u001b]0;pwned\u0007${'y'.repeat(100_000)}:3128`, NO_PROXY: '\u009b,'.repeat(50_000) } },
    expected: [conflict(3)],
  },
];

describe('proxy-conflict', () => {
  for (const { name, input, expected } of table) it(name, () => void expectFindings(proxyConflict, input, expected));

  it('never shows proxy credentials', () => {
    const [f] = check(proxyConflict, { connections: [gh], env: { HTTPS_PROXY: 'http://127.0.0.1:8899', https_proxy: 'http://user:hunter2@proxy.corp:3128' } });
    assert.ok(f);
    assert.ok(!JSON.stringify(f).includes('hunter2'));
    assert.match(f.summary, /http:\/\/\*\*\*@proxy\.corp:3128/);
  });
  it('cites each variable with its value, and offers the corrected environment', () => {
    const [f] = check(proxyConflict, { connections: [oidcLocal], env: { HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: 'localhost' } });
    assert.deepEqual(f!.evidence.map((e) => e.text), ['HTTPS_PROXY=http://proxy.corp:3128', 'NO_PROXY=localhost']);
    assert.deepEqual(f!.actions.map((a) => a.action), ['show-env']);
  });
});
