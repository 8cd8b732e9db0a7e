import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { approveDevice } from '../../fixtures/providers/oidc-provider-server.js';
import { demoAccounts } from '../../src/adapters/local-providers.js';
import { causeIdleRevocation } from '../../src/commands/demo/headline-failures.js';
import { assertHealthyAfter, deviceCodeOn, localProvidersForFile, openDoctorOn, recordHeadline } from '../support/headline.js';
import { userinfoStatus } from '../support/oidc-connection.js';
import { readEvents } from '../support/home-files.js';
import { runBroker } from '../support/run-broker.js';

// Headline 4 of 4: a connection last refreshed 20 days ago, past the provider's 14-day idle window;
// the provider's idle policy has expired its refresh token, and the next refresh is refused. In a
// real terminal: named, l and y, the device login approved on the provider's page, gone.

const providers = localProvidersForFile();

describe('headline: a refresh token revoked while idle, fixed in the doctor', () => {
  it('names the idle revocation, l y and the device approval log in again, gone, doctor exits 0, userinfo answers 200', async () => {
    const session = await openDoctorOn(providers(), causeIdleRevocation, (s) => /^› CRITICAL\s+Revoked while idle nightly-report · refresh token unused for 20 days/m.test(s));
    const { term, first, demo } = session;
    assert.match(first, /^1 active: 1 critical$/m);

    session.press('l');
    await term.waitForScreen((s) => s.includes('Run it? (y/N)') && s.includes('[l]'), 'the y/N');
    session.press('y');
    const waiting = await term.waitForScreen((s) => /enter the code [A-Z0-9]{4}-[A-Z0-9]{4}/.test(s), 'the device code in the fix\'s box');
    await approveDevice(providers().oidc.issuer, deviceCodeOn(waiting), demoAccounts.service);
    const done = await term.waitForScreen((s) => s.includes('re-check: the finding is gone'), 'the re-check');
    const seconds = session.seconds();
    assert.match(done, /done \(relogin\): nightly-report: logged in again as its account/);

    await assertHealthyAfter(session);
    const token = await runBroker(['token', 'nightly-report'], { env: demo.env });
    assert.equal(token.code, 0, token.stderr);
    assert.equal(await userinfoStatus(providers().oidc, token.stdout.trim()), 200);
    recordHeadline(session, seconds, 'the device code approved on the provider\'s page');
  });

  it('Ctrl+C while the device login waits: broker doctor ends at once, the abandoned login is logged, the finding stays', async () => {
    const session = await openDoctorOn(providers(), causeIdleRevocation, (s) => /^› CRITICAL\s+Revoked while idle nightly-report/m.test(s));
    session.press('l');
    await session.term.waitForScreen((s) => s.includes('Run it? (y/N)'), 'the y/N');
    session.press('y');
    await session.term.waitForScreen((s) => s.includes('waiting for approval'), 'the device code');
    session.press('C-c');
    // Without the abort the device poll would keep the process alive until the code expires (10 min).
    assert.equal(await session.term.waitForExit(), 1);
    const events = readEvents(session.demo.root);
    assert.ok(events.some((e) => e.event === 'login' && e.conn === 'nightly-report' && e.outcome === 'error'), 'the abandoned login');
    assert.ok(events.some((e) => e.event === 'remediation' && e.action === 'relogin' && e.outcome === 'error'));
    const doctor = await runBroker(['doctor', '--json'], { env: session.demo.env });
    assert.equal(doctor.code, 1);
    assert.deepEqual(JSON.parse(doctor.stdout).findings.map((f: { id: string; state: string }) => `${f.id} ${f.state}`), ['idle-revoked active']);
  });
});
