import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync, readSync, rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import { homePaths } from '../../src/adapters/home.js';
import { rotatedLogPath } from '../../src/core/log-files.js';
import { runBroker } from '../support/run-broker.js';
import { tempHome } from '../support/temp-home.js';

// Issue 11 item 11: an event log that is a FIFO hung every reading command; `broker token`
// printed its token and then stayed alive (494 s), ignoring SIGTERM. Why: the writer's synchronous
// open(2) for append waits for a reader for ever, and conf's dependency when-exit has installed a
// JavaScript SIGTERM handler, which cannot run while the main thread is blocked in open.

const hangMs = 15_000;
const env = (home: string) => ({ BROKER_HOME: home, BROKER_STORE: 'file', BROKER_PASSPHRASE: 'fifo-test' });

async function homeWithFifoLog(which: 'live' | 'rotated' = 'live'): Promise<{ home: string; fifo: string }> {
  const home = tempHome();
  const r = await runBroker(['connect', 'svc', '--provider', 'slack', '--token-stdin'], { env: env(home), input: 'xoxb-fifo-test' });
  assert.equal(r.code, 0, r.stderr);
  const live = homePaths(home).events;
  const fifo = which === 'live' ? live : rotatedLogPath(live, 1);
  rmSync(fifo, { force: true });
  execFileSync('mkfifo', ['-m', '600', fifo]);
  return { home, fifo };
}

describe('an event log that is not a regular file', () => {
  for (const args of [['status'], ['status', '--json'], ['doctor'], ['doctor', '--json'], ['log'], ['log', '--since', 'all']]) {
    it(`broker ${args.join(' ')} refuses a FIFO log at once (exit 2, names it) instead of hanging`, async () => {
      const { home, fifo } = await homeWithFifoLog();
      const r = await runBroker(args, { env: env(home), timeoutMs: hangMs });
      assert.equal(r.timedOut, undefined, 'it hung');
      assert.equal(r.code, 2, r.stderr);
      assert.ok(r.stderr.includes(`the event log ${fifo} is a FIFO, not a regular file`), r.stderr);
      assert.match(r.stderr, /fix: move it aside/);
    });
  }

  it('a rotated file that is a FIFO is refused the same way', async () => {
    const { home, fifo } = await homeWithFifoLog('rotated');
    const r = await runBroker(['doctor', '--json'], { env: env(home), timeoutMs: hangMs });
    assert.equal(r.timedOut, undefined, 'it hung');
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.includes(fifo), r.stderr);
  });

  it('a folder in the log\'s place is refused, named as a folder', async () => {
    const home = tempHome();
    mkdirSync(homePaths(home).events, { recursive: true });
    const r = await runBroker(['log'], { env: env(home), timeoutMs: hangMs });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /events\.jsonl is a folder, not a regular file/);
  });

  it('broker token hands out its token and exits at once, saying the event was not logged', async () => {
    const { home, fifo } = await homeWithFifoLog();
    const started = performance.now();
    const r = await runBroker(['token', 'svc'], { env: env(home), timeoutMs: hangMs });
    assert.equal(r.timedOut, undefined, `it stayed alive after printing the token (${Math.round(performance.now() - started)} ms)`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'xoxb-fifo-test\n');
    assert.ok(r.stderr.includes(`warning: events are not being logged: the event log ${fifo} is a FIFO`), r.stderr);
  });

  it('with a reader at the FIFO\'s other end, nothing is written into it', async () => {
    const { home, fifo } = await homeWithFifoLog();
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const r = await runBroker(['token', 'svc'], { env: env(home), timeoutMs: hangMs });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /is a FIFO, not a regular file/);
      let got = 0;
      try {
        got = readSync(reader, Buffer.alloc(4096));
      } catch (err) {
        assert.equal((err as NodeJS.ErrnoException).code, 'EAGAIN');
      }
      assert.equal(got, 0, 'the broker wrote an event into the FIFO');
    } finally {
      closeSync(reader);
    }
  });
});
