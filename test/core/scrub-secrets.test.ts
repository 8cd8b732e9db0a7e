import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectionSecrets, minScrubbedRun, scrubSecrets, scrubStrings, secretScrubber, type KnownSecrets } from '../../src/core/scrub-secrets.js';

const clientId = 'fake-client-id';
const clientSecret = 'fake-client-secret-Qx7/+=~ 42';
const refreshToken = 'fake-refresh-token-abcdefghijklmnop';
const accessToken = 'fake-access-token-0123456789abcdef';
const passphrase = 'fake pass phrase 9f3e';
const privateKey = ['-----BEGIN PRIVATE KEY-----', 'RkFLRUtFWU1BVEVSSUFMTElORU9ORWZha2VrZXltYXRlcmlhbGxpbmVvbmU=', 'RkFLRUtFWU1BVEVSSUFMTElORVRXT2Zha2VrZXltYXRlcmlhbGxpbmV0d28=', '-----END PRIVATE KEY-----', ''].join('\n');

const known: KnownSecrets = connectionSecrets({
  clientId,
  clientSecret,
  bundle: { access_token: accessToken, refresh_token: refreshToken, private_key: privateKey },
  env: { BROKER_PASSPHRASE: passphrase },
});
const scrub = secretScrubber(known);

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const b64url = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

/** No run of minScrubbedRun characters of any secret (raw) is left in the text. */
function assertClean(text: string): void {
  for (const secret of [clientSecret, refreshToken, accessToken, passphrase]) {
    for (let i = 0; i + minScrubbedRun <= secret.length; i++) {
      const piece = secret.slice(i, i + minScrubbedRun);
      assert.ok(!text.includes(piece), `"${piece}" is still in: ${text}`);
    }
  }
}

describe('scrubSecrets: every known secret out of provider text', () => {
  it('removes a whole secret and keeps the words around it', () => {
    const out = scrub(`client authentication failed for secret ${clientSecret}; try again`);
    assert.equal(out, 'client authentication failed for secret [redacted client_secret]; try again');
  });

  it('removes prefixes, suffixes and pieces of 8 or more characters, not 7', () => {
    const prefix10 = refreshToken.slice(0, 10);
    const middle = accessToken.slice(9, 9 + minScrubbedRun);
    const suffix = clientSecret.slice(-12);
    const out = scrub(`bad token ${prefix10}… (saw …${middle}…) secret ends ${suffix}`);
    assertClean(out);
    assert.match(out, /bad token \[redacted refresh_token\]… \(saw …\[redacted access_token\]…\) secret ends \[redacted client_secret\]/);
    const seven = refreshToken.slice(0, minScrubbedRun - 1);
    assert.equal(scrub(`only ${seven} here`), `only ${seven} here`);
  });

  it('removes the encodings a server echoes: base64, base64url, URL and form encoding, hex, JSON escapes', () => {
    const forms = [
      b64(clientSecret),
      b64url(clientSecret),
      encodeURIComponent(clientSecret),
      encodeURIComponent(clientSecret).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
      new URLSearchParams({ client_secret: clientSecret }).toString(),
      Buffer.from(refreshToken).toString('hex'),
      JSON.stringify({ echoed: clientSecret }),
      b64(refreshToken.slice(5)),
      b64(accessToken).slice(0, 12),
    ];
    for (const form of forms) {
      const out = scrub(`error: ${form}`);
      assert.match(out, /\[redacted (client_secret|refresh_token|access_token)\]/, `not scrubbed: ${form}`);
      assert.ok(!out.includes(form.slice(-minScrubbedRun - 2, -2)) || form.length < 12, `left a tail of ${form}: ${out}`);
    }
  });

  it('removes the Basic header form base64(client_id:secret), raw and as openid-client form-encodes it', () => {
    const raw = `Basic ${b64(`${clientId}:${clientSecret}`)}`;
    const strict = (s: string) => encodeURIComponent(s).replace(/[-_.!~*'()]|%20/g, (c) => (c === '%20' ? '+' : `%${c.charCodeAt(0).toString(16).toUpperCase()}`));
    const formEncoded = `Basic ${b64(`${strict(clientId)}:${strict(clientSecret)}`)}`;
    for (const header of [raw, formEncoded]) {
      const out = scrub(`you sent authorization: ${header}`);
      assert.equal(out, 'you sent authorization: Basic [redacted client_secret]');
    }
    // The same secret after another client id: found by alignment, not by knowing the id.
    const other = b64(`someone-else:${clientSecret}`);
    assert.ok(!scrub(other).includes(other.slice(-16, -4)), scrub(other));
  });

  it('removes the key material of a PEM private key, line by line, and the passphrase', () => {
    const line = privateKey.split('\n')[2]!;
    assert.equal(scrub(`key line ${line}`), 'key line [redacted private_key]');
    assert.equal(scrub('-----BEGIN PRIVATE KEY-----'), '-----BEGIN PRIVATE KEY-----');
    assert.equal(scrub(`passphrase was ${passphrase}`), 'passphrase was [redacted passphrase]');
  });

  it('a secret shorter than 8 characters is removed only whole; under 4 it is ignored', () => {
    const short: KnownSecrets = { secrets: [{ kind: 'client_secret', value: 'k3y-x1' }, { kind: 'access_token', value: 'ab' }] };
    assert.equal(scrubSecrets('sent k3y-x1 and k3y-x', short), 'sent [redacted client_secret] and k3y-x');
    assert.equal(scrubSecrets('about ab', short), 'about ab');
  });

  it('text without secrets comes back as it went in; nothing known scrubs nothing', () => {
    const text = 'invalid_grant: grant request is invalid';
    assert.equal(scrub(text), text);
    assert.equal(secretScrubber({ secrets: [{ kind: 'client_secret', value: undefined }] })(text), text);
  });

  it('scans a large body in one pass and finds a secret at its very end', () => {
    const body = `${'x'.repeat(2_000_000)}${refreshToken}`;
    const out = scrub(body);
    assert.ok(out.endsWith('[redacted refresh_token]'));
    assert.equal(out.length, 2_000_000 + '[redacted refresh_token]'.length);
  });

  it('scrubStrings: every string field of a record, deep; the same object when nothing changed', () => {
    const record = { error: 'invalid_client', error_description: `bad secret ${clientSecret.slice(0, 11)}`, nested: { list: ['ok', refreshToken] }, status: 401 };
    const out = scrubStrings(record, scrub);
    assert.deepEqual(out, { error: 'invalid_client', error_description: 'bad secret [redacted client_secret]', nested: { list: ['ok', '[redacted refresh_token]'] }, status: 401 });
    assertClean(JSON.stringify(out));
    const clean = { error: 'invalid_grant', n: 1 };
    assert.equal(scrubStrings(clean, scrub), clean);
  });
});
