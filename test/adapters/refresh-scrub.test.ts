import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { refreshUnderLock } from '../../src/adapters/refresh-under-lock.js';
import { createDeps } from '../../src/commands/deps.js';
import { fingerprint } from '../../src/core/fingerprint.js';
import { capturedIo } from '../support/captured-io.js';
import { readEvents } from '../support/home-files.js';
import { startHostileProvider, type HostileProvider } from '../support/hostile-provider.js';
import { tempHome } from '../support/temp-home.js';

// Issue 11 item 1: a provider whose error body echoes the client secret had it written to stderr,
// --json, events.jsonl and state.json lastError; a 10-character prefix of the refresh token too
// (only the exact token was redacted). The refresh path now scrubs the provider's words with every
// secret of the connection before logging, storing or throwing them.

const clientSecret = 'fake-CS7-Vn3Qp8Lz';
const refreshToken = 'fake-RT7-Mw5Ty1Ka';
const accessToken = 'fake-AT7-Hc7Ur2Ob';
const passphrase = 'fake-PP7-Gi9Es4';

let hostile: HostileProvider;
before(async () => {
  hostile = await startHostileProvider();
  hostile.issued(accessToken, refreshToken);
});
after(() => hostile.close());

describe('the refresh path scrubs what the provider says', () => {
  it('invalid_client and invalid_grant bodies echoing the secret, the tokens and their prefixes: nothing of them is logged, stored or thrown', async () => {
    const home = tempHome();
    const deps = createDeps({ io: capturedIo(), env: { CANARY_SECRET: clientSecret, BROKER_STORE: 'file', BROKER_PASSPHRASE: passphrase }, home, mode: 'text' });
    await deps.tokens().write('c1', { access_token: accessToken, refresh_token: refreshToken, expires_at: new Date(Date.now() - 1000).toISOString() });
    await deps.state().add({ name: 'c1', provider: 'oidc', kind: 'service', scopes: [], clientId: 'public-client-id', clientSecretSource: 'env:CANARY_SECRET', issuer: hostile.url, createdAt: new Date().toISOString(), generation: 0, accessTokenFp: fingerprint(accessToken), acknowledgements: [] });

    const thrown: string[] = [];
    for (let i = 0; i < 3; i++) {
      await assert.rejects(refreshUnderLock(deps, { conn: 'c1', trigger: 'manual' }), (err: Error) => {
        thrown.push(err.message, (err as { hint?: string }).hint ?? '');
        return true;
      });
    }
    const failures = readEvents(home).filter((e) => e.event === 'refresh' && e.outcome === 'error');
    assert.deepEqual(failures.map((e) => e.error), ['invalid_client', 'invalid_grant', 'bad_[redacted client_secret]']);
    for (const f of failures) {
      assert.match(String(f.error_description), /^you sent Basic \[redacted client_secret\] and \[redacted client_secret\] \| /);
      // The access token was not sent to the token endpoint, but the provider knows it: the connection's own secrets are scrubbed too.
      for (const kind of ['refresh_token', 'access_token']) assert.ok(String(f.error_description).includes(`[redacted ${kind}]`), kind);
    }
    const lastError = JSON.parse(readFileSync(deps.paths.state, 'utf8')).connections.c1.lastError;
    assert.equal(lastError.code, '[redacted client_secret]', 'error_code carried a prefix of the client secret');

    const texts = [...thrown, readFileSync(deps.paths.events, 'utf8'), readFileSync(deps.paths.state, 'utf8')].join('\n');
    for (const secret of [clientSecret, refreshToken, accessToken]) {
      for (let i = 0; i + 8 <= secret.length; i++) assert.ok(!texts.includes(secret.slice(i, i + 8)), `"${secret.slice(i, i + 8)}" is still there`);
      assert.ok(!texts.includes(Buffer.from(secret).toString('base64').slice(0, 12)));
    }
    assert.ok(hostile.received().includes(clientSecret), 'the provider was sent the secret it echoed');
  });
});
