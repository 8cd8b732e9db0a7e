import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { demoClients } from '../../src/adapters/local-providers.js';
import { causeSecretRotation } from '../../src/commands/demo/headline-failures.js';
import { assertHealthyAfter, boxText, localProvidersForFile, openDoctorOn, recordHeadline } from '../support/headline.js';
import { userinfoStatus } from '../support/oidc-connection.js';
import { runBroker } from '../support/run-broker.js';

// Headline 2 of 4: the client secret is rotated at the provider while the connection's source still
// holds the old one; the next refresh meets invalid_client. In a real terminal: named, p and y, the
// new secret typed without echo and Enter, the token endpoint accepts it, gone.

const providers = localProvidersForFile();

describe('headline: a client secret rotated at the provider, fixed in the doctor', () => {
  it('names the rotation, p y and the typed secret store it and refresh with it, gone, doctor exits 0, userinfo answers 200', async () => {
    const session = await openDoctorOn(providers(), causeSecretRotation, (s) => /^› CRITICAL\s+Client secret rotated billing-sync · /m.test(s));
    const { term, first, demo } = session;
    assert.match(first, /^1 active: 1 critical$/m);
    // What the operator copies from the provider's console after a rotation.
    const secret = providers().oidc.clientSecret(demoClients.rotated.clientId);
    assert.notEqual(secret, demoClients.rotated.clientSecret);

    session.press('p');
    await term.waitForScreen((s) => s.includes('Run it? (y/N)') && s.includes('[p]'), 'the y/N');
    session.press('y');
    await term.waitForScreen((s) => s.includes('New client secret for billing-sync (not shown as you type):'), 'the hidden prompt in the fix\'s box');
    session.type(secret, '<the new secret>');
    const typed = await term.waitForScreen((s) => s.includes('Enter gives it'), 'the prompt, still waiting');
    assert.ok(!typed.includes(secret.slice(-12)), 'what is typed is not shown');
    session.press('Enter');
    const done = await term.waitForScreen((s) => s.includes('re-check: the finding is gone'), 'the re-check');
    const seconds = session.seconds();
    assert.match(boxText(done), /done \(set-secret\): billing-sync: stored the new client secret \(fp [0-9a-f]{12}\)/);
    assert.ok(!done.includes(secret.slice(-12)), 'the secret is not on the screen');

    await assertHealthyAfter(session);
    const token = await runBroker(['token', 'billing-sync'], { env: demo.env });
    assert.equal(token.code, 0, token.stderr);
    assert.equal(await userinfoStatus(providers().oidc, token.stdout.trim()), 200);
    assert.ok(!readFileSync(`${demo.root}/logs/events.jsonl`, 'utf8').includes(secret.slice(-12)), 'the secret is not in the log');
    recordHeadline(session, seconds);
  });
});
