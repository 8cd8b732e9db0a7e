import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitForFrame } from '../support/wait-for-frame.js';
import type { LoginReporter } from '../../src/core/login-progress.js';
import { countdown, initialLoginState, loginReducer, waitingFor } from '../../src/ui/login-state.js';

// Ink renders only the final frame when it believes it runs in CI, and reads that once, at import.
delete process.env.CI;
delete process.env.CONTINUOUS_INTEGRATION;
const { render } = await import('ink-testing-library');
const { LoginScreen } = await import('../../src/ui/screens/LoginScreen.js');

/** A login whose steps the test releases one at a time, standing in for the provider round trips. */
function scriptedLogin() {
  let report: LoginReporter = () => {};
  let finish: (code: number) => void = () => {};
  let aborted = false;
  const run = (r: LoginReporter, signal: AbortSignal): Promise<number> => {
    report = r;
    signal.addEventListener('abort', () => {
      aborted = true;
      r({ kind: 'failed', message: 'login cancelled' });
      finish(1);
    });
    return new Promise((resolve) => (finish = resolve));
  };
  return { run, report: (s: Parameters<LoginReporter>[0]) => report(s), finish: (c: number) => finish(c), aborted: () => aborted };
}

const start = Date.parse('2026-11-22T08:00:00.000Z');

describe('LoginScreen', () => {
  it('device login: code, verification URL and a countdown that ticks, then the outcome and onDone(0)', async () => {
    let now = start;
    const login = scriptedLogin();
    const done: number[] = [];
    const app = render(<LoginScreen run={login.run} clock={() => new Date(now)} onDone={(c) => done.push(c)} tickMs={10} />);
    login.report({ kind: 'start', conn: 'work', method: 'device', scopes: ['openid', 'email'], expected: 'alice@example.test' });
    login.report({ kind: 'device-code', userCode: 'WDJB-MJHT', verificationUri: 'http://127.0.0.1:9/device', expiresAt: new Date(start + 600_000).toISOString() });
    await waitForFrame(app.lastFrame, (f) => f.includes('WDJB-MJHT') && f.includes('code expires in 10:00') && f.includes('waiting for approval'), 'the device code');
    now = start + 61_000;
    await waitForFrame(app.lastFrame, (f) => f.includes('code expires in 8:59'), 'the countdown to tick');
    login.report({ kind: 'tokens' });
    login.report({ kind: 'identity', identity: 'alice@example.test', expected: 'alice@example.test', ok: true });
    login.report({ kind: 'stored', accessTokenFp: '0123456789ab' });
    login.finish(0);
    const frame = await waitForFrame(app.lastFrame, (f) => f.includes('stored'), 'the outcome');
    assert.match(frame, /signed in as alice@example\.test/);
    assert.doesNotMatch(frame, /waiting for approval/);
    await waitForFrame(() => String(done.length), (f) => f === '1', 'onDone');
    assert.deepEqual(done, [0]);
    app.unmount();
  });

  it('wrong account: both identities on screen and onDone(1)', async () => {
    const login = scriptedLogin();
    const done: number[] = [];
    const app = render(<LoginScreen run={login.run} clock={() => new Date(start)} onDone={(c) => done.push(c)} tickMs={10} />);
    login.report({ kind: 'start', conn: 'work', method: 'browser', scopes: [], expected: 'alice@example.test' });
    login.report({ kind: 'open-url', url: 'http://127.0.0.1:9/auth?x=1', browserOpened: false, timeoutSec: 300 });
    await waitForFrame(app.lastFrame, (f) => f.includes('http://127.0.0.1:9/auth?x=1') && f.includes('waiting for the sign-in'), 'the URL');
    login.report({ kind: 'identity', identity: 'mallory@example.test', expected: 'alice@example.test', ok: false });
    login.report({ kind: 'failed', message: 'logged in as mallory@example.test, but this connection must be alice@example.test: refused, nothing was stored' });
    login.finish(1);
    const frame = await waitForFrame(app.lastFrame, (f) => f.includes('refused'), 'the refusal');
    assert.match(frame, /signed in as mallory@example\.test, expected alice@example\.test/);
    await waitForFrame(() => String(done.length), (f) => f === '1', 'onDone');
    assert.deepEqual(done, [1]);
    app.unmount();
  });

  it('Ctrl+C cancels the wait through the abort signal', async () => {
    const login = scriptedLogin();
    const done: number[] = [];
    const app = render(<LoginScreen run={login.run} clock={() => new Date(start)} onDone={(c) => done.push(c)} tickMs={10} />);
    login.report({ kind: 'open-url', url: 'http://127.0.0.1:9/auth', browserOpened: false, timeoutSec: 300 });
    await waitForFrame(app.lastFrame, (f) => f.includes('Ctrl+C cancels'), 'the spinner');
    app.stdin.write('\u0003');
    await waitForFrame(app.lastFrame, (f) => f.includes('login cancelled'), 'the cancellation');
    assert.equal(login.aborted(), true);
    await waitForFrame(() => String(done.length), (f) => f === '1', 'onDone');
    assert.deepEqual(done, [1]);
    app.unmount();
  });
});

describe('login-state', () => {
  it('waits on the browser, the device, or the provider, and on nothing once finished', () => {
    let s = loginReducer(initialLoginState, { type: 'step', step: { kind: 'start', conn: 'c', method: 'device', scopes: [] } });
    assert.equal(waitingFor(s), 'provider');
    s = loginReducer(s, { type: 'step', step: { kind: 'device-code', userCode: 'A', verificationUri: 'u', expiresAt: new Date(start).toISOString() } });
    assert.equal(waitingFor(s), 'device');
    s = loginReducer(s, { type: 'finished', exitCode: 1 });
    assert.equal(waitingFor(s), undefined);
    assert.equal(s.steps.length, 2);
  });

  it('countdown: minutes:seconds, rounded up, never negative', () => {
    const at = new Date(start);
    assert.equal(countdown(new Date(start + 600_000).toISOString(), at), '10:00');
    assert.equal(countdown(new Date(start + 59_001).toISOString(), at), '1:00');
    assert.equal(countdown(new Date(start + 9_000).toISOString(), at), '0:09');
    assert.equal(countdown(new Date(start - 5_000).toISOString(), at), '0:00');
  });
});
