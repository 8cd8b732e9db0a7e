import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { mintTokens, startOidcProvider, type RunningOidcProvider } from '../../fixtures/providers/oidc-provider-server.js';
import { homePaths } from '../../src/adapters/home.js';
import { exitCodes } from '../../src/core/exit-codes.js';
import { fingerprint } from '../../src/core/fingerprint.js';
import { loggedEvents } from '../support/oidc-connection.js';
import { runBroker, type BrokerRun } from '../support/run-broker.js';
import { tempHome } from '../support/temp-home.js';

// Issue 3 "must show": rotating the client secret at the provider makes refresh fail with
// invalid_client (logged with fingerprints, no secret bytes anywhere); pointing the source at the
// new secret makes it work again, and the change is recorded as a `secret` event.

const oldSecret = 'canary-client-secret-OLD-5f1e';
const newSecret = 'canary-client-secret-NEW-a93c';
let op: RunningOidcProvider;
before(async () => {
  op = await startOidcProvider({ clientSecret: oldSecret });
});
after(() => op.close());

async function connect(home: string, name: string, source: string, env: Record<string, string>): Promise<string[]> {
  const tokens = await mintTokens(op.issuer, { clientId: op.clientId, clientSecret: op.clientSecret() }, 'alice@example.test');
  const r = await runBroker(
    ['connect', name, '--provider', 'oidc', '--issuer', op.issuer, '--client-id', op.clientId, '--client-secret-from', source, '--account', 'alice@example.test', '--token-stdin'],
    { env: { BROKER_HOME: home, ...env }, input: JSON.stringify(tokens) },
  );
  assert.equal(r.code, 0, r.stderr);
  return [tokens.access_token, tokens.refresh_token];
}

const readEvents = (home: string) => loggedEvents({ paths: homePaths(home) });

describe('client secret rotation', () => {
  it('invalid_client after the provider rotates the secret; env: and file: sources pointed at the new one work again', async () => {
    const home = tempHome();
    const secretFile = join(home, 'client-secret.txt');
    writeFileSync(secretFile, `${oldSecret}\n`, { mode: 0o600 });
    const canaries: string[] = [oldSecret, newSecret];
    let env = { BROKER_HOME: home, ROTATION_SECRET: oldSecret };
    canaries.push(...(await connect(home, 'by-env', 'env:ROTATION_SECRET', env)));
    canaries.push(...(await connect(home, 'by-file', `file:${secretFile}`, env)));
    const outputs: BrokerRun[] = [];
    const refresh = async (name: string) => {
      const r = await runBroker(['refresh', name, '--json'], { env });
      outputs.push(r);
      return r;
    };

    // Both work with the secret the provider knows; that secret becomes the last good one.
    for (const name of ['by-env', 'by-file']) assert.equal((await refresh(name)).code, exitCodes.ok, outputs.at(-1)?.stderr);

    op.setClientSecret(newSecret);
    for (const name of ['by-env', 'by-file']) {
      const r = await refresh(name);
      assert.equal(r.code, exitCodes.failed, r.stderr);
      const report = JSON.parse(r.stdout);
      assert.equal(report.outcome, 'error');
      assert.match(report.error, /invalid_client/);
      assert.match(report.hint, /client secret/);
    }
    const failures = readEvents(home).filter((e) => e.event === 'refresh' && e.outcome === 'error');
    assert.deepEqual(failures.map((e) => [e.conn, e.status, e.error]), [['by-env', 401, 'invalid_client'], ['by-file', 401, 'invalid_client']]);
    for (const f of failures) assert.match(String(f.rt_fp), /^[0-9a-f]{12}$/);
    const state = JSON.parse(readFileSync(homePaths(home).state, 'utf8'));
    assert.equal(state.connections['by-env'].lastError.error, 'invalid_client');
    assert.equal(state.connections['by-env'].clientSecretFp, fingerprint(oldSecret), 'the last good secret is still the old one');

    // Point the sources at the new secret.
    env = { ...env, ROTATION_SECRET: newSecret };
    writeFileSync(secretFile, `${newSecret}\n`);
    for (const name of ['by-env', 'by-file']) {
      const r = await refresh(name);
      assert.equal(r.code, exitCodes.ok, r.stderr);
      assert.equal(JSON.parse(r.stdout).outcome, 'ok');
    }
    const events = readEvents(home);
    const changes = events.filter((e) => e.event === 'secret' && e.fp === fingerprint(newSecret));
    assert.deepEqual(
      changes.map((e) => [e.conn, e.source, e.previous_fp]),
      [
        ['by-env', 'env:ROTATION_SECRET', fingerprint(oldSecret)],
        ['by-file', `file:${secretFile}`, fingerprint(oldSecret)],
      ],
    );
    const after = JSON.parse(readFileSync(homePaths(home).state, 'utf8'));
    for (const name of ['by-env', 'by-file']) {
      assert.equal(after.connections[name].clientSecretFp, fingerprint(newSecret));
      assert.equal(after.connections[name].lastError, undefined);
    }
    const token = await runBroker(['token', 'by-env'], { env });
    assert.equal(token.code, 0, token.stderr);

    // No secret or token bytes anywhere a person or a log reader can see.
    const seen = [readFileSync(homePaths(home).events, 'utf8'), readFileSync(homePaths(home).state, 'utf8'), ...outputs.flatMap((r) => [r.stdout, r.stderr])].join('\n');
    for (const canary of canaries) assert.ok(!seen.includes(canary), `a secret (fp ${fingerprint(canary)}) leaked`);
  });
});
