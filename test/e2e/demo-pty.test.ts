import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { assertFits, size } from '../support/headline.js';
import { poll, Terminal } from '../support/tmux-terminal.js';

// `broker demo` (what `npm start` runs) in a real 80×24 terminal: it opens on the doctor with the
// headline failures and the hints to fix them; q (or Ctrl+C) ends it, its providers stop listening
// and its temporary home is gone.

interface DemoRun {
  term: Terminal;
  tmp: string;
  progress: () => string;
}

function startDemo(): DemoRun {
  // The demo's home goes under TMPDIR: a folder of this test's own, so "gone" is checked exactly.
  const tmp = mkdtempSync(join(tmpdir(), 'broker-demo-pty-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));
  const progressFile = join(tmp, 'progress.txt');
  const term = new Terminal(tmp, size, { TMPDIR: tmp });
  after(() => term.kill());
  term.start(['demo', `2>${progressFile}`]);
  return { term, tmp, progress: () => (existsSync(progressFile) ? readFileSync(progressFile, 'utf8') : '') };
}

/** What the setup said on stderr: where the providers listen and the home is. */
function whereItRuns(progress: string): { oidc: string; github: string; home: string } {
  const oidc = /^ {2}OpenID provider {2}(http:\/\/127\.0\.0\.1:\d+)/m.exec(progress)?.[1];
  const github = /^ {2}GitHub stand-in {2}(http:\/\/127\.0\.0\.1:\d+)/m.exec(progress)?.[1];
  const home = /^ {2}home {13}(\S+)/m.exec(progress)?.[1];
  assert.ok(oidc && github && home, progress);
  return { oidc, github, home };
}

async function assertStopped(run: DemoRun, where: { oidc: string; github: string; home: string }): Promise<void> {
  for (const url of [where.oidc, where.github]) await assert.rejects(fetch(url), `${url} still answers`);
  assert.ok(!existsSync(where.home), `${where.home} is still there`);
  assert.deepEqual(readdirSync(run.tmp).filter((f) => f.startsWith('broker-demo-')), [], 'no demo home is left');
}

describe('broker demo in a pseudo-terminal', () => {
  it('opens on the doctor with the five findings and the sign-in hints; q stops the providers and removes the home', async () => {
    const run = startDemo();
    const started = Date.now();
    const screen = await run.term.waitForScreen((s) => /^5 active: 3 critical, 1 error, 1 warning$/m.test(s), 'the doctor view');
    const seconds = (Date.now() - started) / 1000;
    assertFits(screen);
    assert.match(screen, /^broker doctor {2}token store: file/m);
    for (const title of ['Client secret rotated billing-sync', 'Refresh race deploy-agent', 'Revoked while idle nightly-report', 'Wrong installation gh-app-deploy', 'Personal credential in CI dana-notes']) {
      assert.ok(screen.includes(title), `${title} on the first screen`);
    }
    const where = whereItRuns(run.progress());
    assert.match(screen, new RegExp(`^demo: sign in at ${where.oidc.replace(/\./g, '\\.')} as agents@acme\\.test, any password works$`, 'm'));
    assert.match(screen, /^demo: rotated client secrets at http:\/\/127\.0\.0\.1:\d+\/console · q ends the demo$/m);
    assert.ok(existsSync(join(where.home, 'state.json')), 'the home is there while the demo runs');
    assert.equal((await fetch(`${where.oidc}/.well-known/openid-configuration`)).status, 200, 'the provider answers while the demo runs');

    run.term.tmux('send-keys', 'q');
    assert.equal(await run.term.waitForExit(), 1, 'the doctor view still has critical findings: exit 1');
    await assertStopped(run, where);
    process.stdout.write(`# broker demo in a terminal: the doctor view ${seconds.toFixed(1)} s after the start\n`);
  });

  it('s shows the grid; Ctrl+C ends the demo the same way', async () => {
    const run = startDemo();
    await run.term.waitForScreen((s) => s.includes('broker doctor') && /^5 active/m.test(s), 'the doctor view');
    run.term.tmux('send-keys', 's');
    const grid = await run.term.waitForScreen((s) => /^6 connections: 3 critical, 1 error, 1 warning, 1 ok$/m.test(s), 'the grid');
    assertFits(grid);
    assert.match(grid, /^demo: sign in at /m, 'the hints stay on the grid');
    const where = await poll(() => (run.progress().includes('opening the doctor') ? whereItRuns(run.progress()) : undefined), () => 'the setup\'s progress');
    run.term.tmux('send-keys', 'C-c');
    assert.equal(await run.term.waitForExit(), 1);
    await assertStopped(run, where);
  });

  it('Ctrl+C while a device login waits for approval: the login is abandoned, the demo ends at once, nothing is left', async () => {
    const run = startDemo();
    await run.term.waitForScreen((s) => /^5 active/m.test(s), 'the doctor view');
    run.term.tmux('send-keys', 'Down');
    await run.term.waitForScreen((s) => /^› CRITICAL\s+Refresh race deploy-agent/m.test(s), 'the race selected');
    run.term.tmux('send-keys', 'l');
    await run.term.waitForScreen((s) => s.includes('Run it? (y/N)'), 'the y/N');
    run.term.tmux('send-keys', 'y');
    await run.term.waitForScreen((s) => s.includes('waiting for approval'), 'the device code');
    const where = whereItRuns(run.progress());
    run.term.tmux('send-keys', 'C-c');
    assert.equal(await run.term.waitForExit(), 1);
    await assertStopped(run, where);
    assert.doesNotMatch(run.progress(), /events are not being logged/, 'nothing wrote into the removed home');
  });
});
