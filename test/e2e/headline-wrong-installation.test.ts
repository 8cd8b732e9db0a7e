import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { causeWrongInstallation } from '../../src/commands/demo/headline-failures.js';
import { assertHealthyAfter, boxText, localProvidersForFile, openDoctorOn, recordHeadline } from '../support/headline.js';
import { runBroker } from '../support/run-broker.js';

// Headline 3 of 4: a GitHub App installed on acme and on globex; the connection is acme's
// installation, and an agent asks it for globex/billing. In a real terminal: named, b and y, the
// installation covering the repository found with the App's JWT, rebound, minted, fetched, gone.

const providers = localProvidersForFile();

describe('headline: a GitHub App installation asked for another owner\'s repository, fixed in the doctor', () => {
  it('names the wrong installation, b y rebind it, gone, doctor exits 0, the repository answers 200 to the new token', async () => {
    const session = await openDoctorOn(providers(), causeWrongInstallation, (s) => /^› ERROR\s+Wrong installation gh-app-deploy · /m.test(s));
    const { term, first, demo } = session;
    assert.match(first, /^1 active: 1 error$/m);

    session.press('b');
    await term.waitForScreen((s) => s.includes('Run it? (y/N)') && s.includes('[b]'), 'the y/N');
    session.press('y');
    const done = await term.waitForScreen((s) => s.includes('re-check: the finding is gone'), 'the re-check');
    const seconds = session.seconds();
    assert.match(boxText(done), /bound to installation 52 \(globex\) instead of 51 \(acme\); minted a token for it; GET \/repos\/globex\/billing answered 200/);

    await assertHealthyAfter(session);
    const token = await runBroker(['token', 'gh-app-deploy'], { env: demo.env });
    assert.equal(token.code, 0, token.stderr);
    const repo = await fetch(`${providers().github.url}/repos/globex/billing`, { headers: { authorization: `token ${token.stdout.trim()}` } });
    assert.equal(repo.status, 200, 'the stand-in serves globex/billing to the rebound installation\'s token');
    recordHeadline(session, seconds);
  });
});
