import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { classifyProviderError, tokenResponseError } from '../../../src/core/providers/classify-provider-error.js';
import { canonicalCauses, providerProfile, providerProfiles, type CanonicalCause } from '../../../src/core/providers/index.js';
import { providerIds, type ProviderId } from '../../../src/core/state-schema.js';

// The provider facts, copied into the repository with their sources (fixtures/provider-facts/README.md).
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
interface FactEntry {
  provider: string;
  scenario: string;
  category: string;
  http_status: number;
  body: unknown;
}
const facts = JSON.parse(readFileSync(join(repoRoot, 'fixtures', 'provider-facts', 'provider-errors.json'), 'utf8')) as FactEntry[];

function profileFor(provider: string): ProviderId {
  if (provider.startsWith('GitHub App') && !provider.includes('user-to-server')) return 'github-app';
  if (provider.startsWith('GitHub')) return 'github';
  if (provider.startsWith('Google')) return 'google';
  if (provider.startsWith('Microsoft')) return 'microsoft';
  if (provider.startsWith('Slack')) return 'slack';
  if (provider.includes('oidc-provider') || provider.startsWith('RFC 6749')) return 'oidc';
  throw new Error(`no profile for provider "${provider}"`);
}

// Where one body stands for several causes (GitHub bad_refresh_token for reuse, expiry and revoked
// consent; Google's and oidc-provider's single invalid_grant text), the body alone can only say
// "invalid_grant"; the rules tell them apart by timing. A provider whose body names the cause must
// get the precise one: that is checked in `precise` below.
const acceptedByCategory: Record<string, CanonicalCause[]> = {
  invalid_client_secret: ['invalid_client'],
  expired_client_secret: ['expired_client_secret'],
  refresh_reuse_race: ['refresh_reuse', 'invalid_grant'],
  revoked_or_expired_refresh: ['invalid_grant'],
  idle_or_policy_expiry: ['idle_expired', 'invalid_grant'],
  consent_revoked: ['consent_revoked', 'invalid_grant'],
  account_disabled: ['account_disabled'],
  clock_skew: ['clock_skew'],
  // A 401 "Bad credentials" right after minting: clock or replication, the body cannot say.
  clock_skew_or_propagation: ['clock_skew', 'invalid_grant'],
  wrong_installation_404: ['not_found'],
  insufficient_scope: ['insufficient_scope'],
  rate_limit: ['rate_limited'],
};

// Bodies that carry their cause: these must be classified exactly.
const precise: Array<[ProviderId, string, CanonicalCause]> = [
  ['microsoft', 'AADSTS700082', 'idle_expired'],
  ['microsoft', 'AADSTS50173', 'consent_revoked'],
  ['microsoft', 'AADSTS65001', 'consent_revoked'],
  ['microsoft', 'AADSTS7000222', 'expired_client_secret'],
  ['slack', 'token_revoked', 'consent_revoked'],
];

describe('classifyProviderError against provider-errors.json', () => {
  for (const [index, entry] of facts.entries()) {
    const id = profileFor(entry.provider);
    it(`#${index} ${entry.provider}: ${entry.scenario} → ${entry.category}`, () => {
      const isError = typeof entry.body === 'object' && entry.body !== null;
      if (!isError) {
        // The Microsoft "reuse" entry is a success: Entra does not revoke the old refresh token.
        assert.equal(tokenResponseError(id, entry.http_status, entry.body), null);
        return;
      }
      // GitHub hides private resources behind 404 whether the scope or the installation is missing.
      const accepted = entry.http_status === 404 ? ['not_found'] : acceptedByCategory[entry.category];
      assert.ok(accepted, `category ${entry.category} has no expected cause`);
      const result = classifyProviderError(id, { status: entry.http_status, body: entry.body });
      assert.ok(accepted.includes(result.cause), `${JSON.stringify(entry.body).slice(0, 120)} → ${result.cause}, expected one of ${accepted.join(', ')}`);
      const exact = precise.find(([p, marker]) => p === id && JSON.stringify(entry.body).includes(marker));
      if (exact) assert.equal(result.cause, exact[2]);
      // The same answer read back from the event log's fields classifies the same.
      const fromLog = classifyProviderError(id, { status: entry.http_status, error: result.error, error_description: result.description, error_code: result.code });
      assert.equal(fromLog.cause, result.cause);
    });
  }

  it('covers every category in the file', () => {
    for (const entry of facts) if (typeof entry.body === 'object') assert.ok(acceptedByCategory[entry.category], entry.category);
  });
});

describe('tokenResponseError', () => {
  it('sees GitHub errors sent with HTTP 200', () => {
    const result = tokenResponseError('github', 200, { error: 'bad_refresh_token', error_description: 'The refresh token passed is incorrect or expired.' });
    assert.deepEqual(result, { cause: 'invalid_grant', error: 'bad_refresh_token', description: 'The refresh token passed is incorrect or expired.' });
  });
  it("sees Slack's ok:false sent with HTTP 200", () => {
    assert.equal(tokenResponseError('slack', 200, { ok: false, error: 'bad_client_secret' })?.cause, 'invalid_client');
  });
  it('returns null for a success', () => {
    assert.equal(tokenResponseError('github', 200, { access_token: 'ghu_x', token_type: 'bearer' }), null);
    assert.equal(tokenResponseError('slack', 200, { ok: true, access_token: 'xoxe.x' }), null);
    assert.equal(tokenResponseError('oidc', 200, { access_token: 'x', expires_in: 3600 }), null);
  });
  it('classifies a 4xx body without a known word by status', () => {
    assert.equal(tokenResponseError('oidc', 429, 'slow down')?.cause, 'rate_limited');
  });
});

describe('AADSTS codes', () => {
  it('reads the code from the description prefix when error_codes is missing', () => {
    const result = classifyProviderError('microsoft', { status: 401, body: { error: 'invalid_client', error_description: 'AADSTS7000222: The provided client secret keys are expired.' } });
    assert.equal(result.cause, 'expired_client_secret');
    assert.equal(result.code, 'AADSTS7000222');
  });
  it('falls back to the error field for an unknown code', () => {
    const result = classifyProviderError('microsoft', { status: 400, body: { error: 'invalid_grant', error_description: 'AADSTS9999999: something new', error_codes: [9999999] } });
    assert.equal(result.cause, 'invalid_grant');
  });
  it('matches an event-log code with or without the prefix', () => {
    assert.equal(classifyProviderError('microsoft', { status: 400, error: 'invalid_grant', error_code: '700082' }).cause, 'idle_expired');
  });
});

describe('profiles', () => {
  it('has one profile per provider id, with the facts other code relies on', () => {
    for (const id of providerIds) assert.equal(providerProfile(id).id, id);
    assert.equal(Object.keys(providerProfiles).length, providerIds.length);
    assert.equal(providerProfile('atlassian').reuseLeewaySec, 600);
    assert.equal(providerProfile('github').idleWindowDays, 183);
    assert.equal(providerProfile('microsoft').reuseRevokesFamily, false);
    assert.equal(providerProfile('oidc').reuseRevokesFamily, true);
    assert.equal(providerProfile('oidc').endpoints.token, undefined);
    assert.equal(providerProfile('google').refreshTokens, 'static');
  });
  it('maps only to canonical causes', () => {
    for (const profile of Object.values(providerProfiles)) for (const row of profile.errors) assert.ok(canonicalCauses.includes(row.cause));
  });
  it('classifies Linear rate limits sent as HTTP 400', () => {
    const body = { errors: [{ message: 'Rate limit exceeded', extensions: { code: 'RATELIMITED', statusCode: 429 } }] };
    assert.equal(classifyProviderError('linear', { status: 400, body }).cause, 'rate_limited');
  });
});
