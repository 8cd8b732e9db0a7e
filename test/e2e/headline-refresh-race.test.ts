import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { approveDevice } from '../../fixtures/providers/oidc-provider-server.js';
import { demoAccounts } from '../../src/adapters/local-providers.js';
import { causeRefreshRace } from '../../src/commands/demo/headline-failures.js';
import { assertFits, assertHealthyAfter, deviceCodeOn, localProvidersForFile, openDoctorOn, recordHeadline } from '../support/headline.js';
import { userinfoStatus } from '../support/oidc-connection.js';
import { runBroker } from '../support/run-broker.js';

// Headline 1 of 4: two agents refresh one token at once without the lock, the provider (oidc-provider,
// reuse revokes the grant) revokes the family. In a real terminal: named, l and y, the device login
// approved on the provider's page, gone; the new token is one the provider accepts.

const providers = localProvidersForFile();

describe('headline: a refresh race that revokes the family, fixed in the doctor', () => {
  it('names the race, l y and the device approval log in again, the re-check says gone, doctor exits 0, userinfo answers 200', async () => {
    const session = await openDoctorOn(providers(), causeRefreshRace, (s) => /^› CRITICAL\s+Refresh race deploy-agent · /m.test(s));
    const { term, first } = session;
    assert.match(first, /^1 active: 1 critical$/m);
    assert.doesNotMatch(first, /resolved/, 'nothing else in the window');

    session.press('l');
    const confirm = await term.waitForScreen((s) => s.includes('Run it? (y/N)'), 'the y/N');
    assert.match(confirm, /\[l\] log deploy-agent in again as its account/);
    session.press('y');
    const waiting = await term.waitForScreen((s) => /enter the code [A-Z0-9]{4}-[A-Z0-9]{4}/.test(s) && s.includes('waiting for approval'), 'the device code in the fix\'s box');
    assertFits(waiting);
    assert.match(waiting, new RegExp(`visit ${providers().oidc.issuer.replace(/\./g, '\\.')}/device and enter the code`), 'the verification address');
    // The person at the provider's page: the code from the screen, signed in as the account.
    await approveDevice(providers().oidc.issuer, deviceCodeOn(waiting), demoAccounts.service);
    const done = await term.waitForScreen((s) => s.includes('re-check: the finding is gone'), 'the re-check');
    const seconds = session.seconds();
    assert.match(done, /done \(relogin\): deploy-agent: logged in again as its account/);
    assert.match(done, /^[› ] resolved \d\d:\d\d Refresh race deploy-agent/m);

    await assertHealthyAfter(session);
    const token = await runBroker(['token', 'deploy-agent'], { env: session.demo.env });
    assert.equal(token.code, 0, token.stderr);
    assert.equal(await userinfoStatus(providers().oidc, token.stdout.trim()), 200, 'the provider accepts the new token');
    recordHeadline(session, seconds, 'the device code approved on the provider\'s page');
  });
});
