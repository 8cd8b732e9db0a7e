import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolvedScenario } from '../support/resolved-scenario.js';
import { assertFits, keys, renderSized, type SizedApp } from '../support/sized-render.js';
import { waitForFrame } from '../support/wait-for-frame.js';
import type { DoctorReport } from '../../src/core/doctor-report.js';
import type { ActionRef, Finding } from '../../src/core/findings.js';
import type { ActionResultView } from '../../src/ui/doctor-state.js';
import type { ActionPrompts } from '../../src/ui/hooks/use-action-runner.js';
import type { AppView } from '../../src/ui/app-state.js';

// Ink renders only the final frame when it believes it runs in CI, and reads that once, at import.
delete process.env.CI;
delete process.env.CONTINUOUS_INTEGRATION;
const { App } = await import('../../src/ui/screens/App.js');

const { report, runbooks, snapshot } = resolvedScenario();
const small = { columns: 80, rows: 24 };
type RunAction = (finding: Finding, action: ActionRef, onOutput: (text: string) => void, prompts: ActionPrompts) => Promise<{ result: ActionResultView; findingsAfter: Finding[] }>;

interface Mounted extends SizedApp {
  done: number[];
  scans: () => number;
  runs: Array<{ id: string; action: string }>;
}

async function mount(options: { start?: AppView; runAction?: RunAction; scanned?: DoctorReport; size?: { columns: number; rows: number }; scanHeld?: Promise<void>; notice?: string[] } = {}): Promise<Mounted> {
  const done: number[] = [];
  const runs: Mounted['runs'] = [];
  let scans = 0;
  const runAction: RunAction = async (finding, action, onOutput, prompts) => {
    runs.push({ id: finding.id, action: action.action });
    return (options.runAction ?? (async () => ({ result: { ok: true, detail: 'ok', held: true }, findingsAfter: report.findings })))(finding, action, onOutput, prompts);
  };
  const app = await renderSized(
    <App
      start={options.start ?? 'doctor'}
      status={{ load: async () => snapshot, snapshot }}
      doctor={{
        scan: async (onProgress) => {
          scans++;
          onProgress(1_500_000, 3_000_000, 12_345);
          await options.scanHeld;
          return options.scanned ?? report;
        },
        runbook: (id) => runbooks.get(id),
        runAction,
      }}
      clock={() => new Date(report.window.until)}
      onDone={(code) => done.push(code)}
      tickMs={50}
      notice={options.notice}
    />,
    options.size ?? small,
  );
  return { ...app, done, scans: () => scans, runs };
}

const listed = (f: string) => f.includes('Wrong installation') && f.includes('Refresh race');
const lines = (f: string) => f.split('\n');
/** The text inside a bordered box, its wrapped lines joined. */
const boxText = (f: string) => lines(f).filter((l) => l.startsWith('│')).map((l) => l.replace(/^│\s?|\s*│$/g, '').trim()).join(' ');

describe('the doctor view at 80×24', () => {
  it('lists the active findings, then a dimmed resolved section with the time each ended and no action keys', async () => {
    const app = await mount();
    try {
      const frame = await waitForFrame(app.lastFrame, listed, 'the findings');
      assertFits(app.lastFrame()!, small);
      assert.match(frame, /3 active: 1 error, 1 warning, 1 info · 1 resolved/);
      const at = (text: string) => lines(frame).findIndex((l) => l.includes(text));
      assert.match(lines(frame)[at('Wrong installation')]!, /^› ERROR\s+Wrong installation gh-app-acme · 1 request/);
      assert.ok(at('Wrong installation') < at('Personal credential in CI') && at('Personal credential in CI') < at('Rate limited'));
      assert.ok(at('Rate limited') < at('resolved (history, not health): 1') && at('resolved (history, not health): 1') < at('Refresh race'), 'the resolved section comes after every active finding');
      assert.match(lines(frame)[at('Refresh race')]!, /^ {2}resolved 08:50 Refresh race agent-oidc · 2 processes/);

      app.stdin.write('G');
      await waitForFrame(app.lastFrame, (f) => /^› resolved 08:50 Refresh race/m.test(f), 'the resolved finding selected');
      app.stdin.write('r');
      app.stdin.write(keys.enter);
      const detail = await waitForFrame(app.lastFrame, (f) => f.includes('resolved at 2026-11-22 08:50:00 UTC'), 'its detail');
      assert.doesNotMatch(detail, /Run it\?|^Actions/m, 'a resolved finding has nothing to run');
      assert.match(detail, /history, not health; nothing to run/);
      assert.deepEqual(app.runs, []);
    } finally {
      app.unmount();
    }
  });

  it('Enter shows the whole finding: the full summary, its evidence, all five runbook sections rendered, NAME replaced; it scrolls to the end', async () => {
    const app = await mount();
    try {
      await waitForFrame(app.lastFrame, listed, 'the findings');
      app.stdin.write(keys.enter);
      let frame = await waitForFrame(app.lastFrame, (f) => f.includes('[wrong-installation]') && f.includes('Evidence'), 'the detail');
      assertFits(app.lastFrame()!, small);
      const finding = report.findings.find((f) => f.id === 'wrong-installation')!;
      const text = (f: string) => lines(f).map((l) => l.trim()).join(' ');
      assert.ok(text(frame).includes(finding.summary), `the whole summary, wrapped, not cut:\n${frame}`);
      assert.match(frame, /\[b\] Find the installation that owns the repository and rebind \(asks y\/N\)/);
      const evidence = finding.evidence[0]!;
      assert.ok(frame.includes(`${evidence.file.split('/').pop()}:${evidence.line}`) || frame.includes(`:${evidence.line}  ${evidence.ts}`), 'file:line and ts of the evidence');
      const seen = new Set<string>();
      let all = '';
      for (let page = 0; page < 30 && !frame.includes('runbooks/wrong-installation.md'); page++) {
        all += `${frame}\n`;
        app.stdin.write(keys.pageDown);
        const before = frame;
        frame = await waitForFrame(app.lastFrame, (f) => f !== before, 'the next page');
        assertFits(app.lastFrame()!, small);
        assert.match(frame, /^ERROR Wrong installation · gh-app-acme \[wrong-installation\]/m, 'the title stays while it scrolls');
      }
      all += frame;
      for (const section of ['What happened', 'Why', 'Fix', 'Verify', 'Prevent']) if (new RegExp(`^${section}$`, 'm').test(all)) seen.add(section);
      assert.deepEqual([...seen], ['What happened', 'Why', 'Fix', 'Verify', 'Prevent']);
      assert.doesNotMatch(all, /\bNAME\b/, 'NAME is the connection');
      assert.match(all, /gh-app-acme/);
      assert.doesNotMatch(all, /\*\*|`/, 'Markdown rendered, not shown');
      app.stdin.write('g');
      await waitForFrame(app.lastFrame, (f) => f.includes('Actions') && f.includes('[b]'), 'g back to the top');
      app.stdin.write(keys.escape);
      await waitForFrame(app.lastFrame, (f) => /^› ERROR\s+Wrong installation/m.test(f), 'the list again');
    } finally {
      app.unmount();
    }
  });

  it('? lists every key of the findings, the action keys of the selected one included', async () => {
    const app = await mount();
    try {
      await waitForFrame(app.lastFrame, listed, 'the findings');
      app.stdin.write('?');
      const help = await waitForFrame(app.lastFrame, (f) => f.includes('keys: findings'), 'the help');
      assertFits(app.lastFrame()!, small);
      for (const key of ['↑/↓', 'PgUp/PgDn', 'g/G', 'Enter', '/', 's', 'd', 'R', '?', 'q']) assert.match(help, new RegExp(`│ ${key.replace(/[?/]/g, '\\$&')}\\s`), `${key} in the help:\n${help}`);
      assert.match(help, /│ b\s+Find the installation that owns the repository and rebind/);
      app.stdin.write('?');
      await waitForFrame(app.lastFrame, (f) => listed(f) && !f.includes('keys:'), 'the list again');
      app.stdin.write(keys.enter);
      await waitForFrame(app.lastFrame, (f) => f.includes('Evidence'), 'the detail');
      app.stdin.write('?');
      const detailHelp = await waitForFrame(app.lastFrame, (f) => f.includes('keys: a finding and its runbook'), 'the help of the detail');
      assert.match(detailHelp, /│ Esc\s+back to the findings/);
      assert.match(detailHelp, /│ b\s+Find the installation/);
    } finally {
      app.unmount();
    }
  });

  it('a running login shows its whole sign-in address, wrapped, where other lines are cut', async () => {
    const url = `https://slack.example.test/oauth/v2/authorize?client_id=4711.0815&scope=chat%3Awrite%2Cchannels%3Aread&state=${'s'.repeat(60)}&redirect_uri=http%3A%2F%2F127.0.0.1%3A53682%2Fcallback`;
    let finish: () => void = () => {};
    const app = await mount({
      runAction: async (_finding, _action, onOutput) => {
        onOutput(`Open this URL in a browser on this machine:\n${url}\n${'a line that is much too long to fit in the box '.repeat(3)}\n`);
        await new Promise<void>((resolve) => (finish = resolve));
        return { result: { ok: true, detail: 'ok', held: true }, findingsAfter: report.findings };
      },
    });
    try {
      await waitForFrame(app.lastFrame, listed, 'the findings');
      app.stdin.write('b');
      await waitForFrame(app.lastFrame, (f) => f.includes('Run it? (y/N)'), 'the y/N');
      app.stdin.write('y');
      const frame = await waitForFrame(app.lastFrame, (f) => f.includes('Open this URL'), 'the login step');
      assertFits(frame, small);
      assert.ok(boxText(frame).replace(/ /g, '').includes(url), `the whole URL is on screen:\n${frame}`);
      assert.ok(lines(frame).some((l) => l.includes('a line that is much too long') && l.includes('…')), 'a long line that is not an address is still cut');
    } finally {
      finish();
      app.unmount();
    }
  });

  it('a secret typed the instant its prompt appears is the answer, not keys for the list', async () => {
    let typeAtOnce: () => void = () => {};
    let answered: string | null | undefined;
    const app = await mount({
      runAction: async (_finding, _action, _onOutput, prompts) => {
        const asked = prompts.askSecret('New client secret for gh-app-acme (not shown as you type):');
        // Keys that arrive before React has re-bound the key handler to the prompt (in the terminal:
        // right after the prompt's frame is written, before the effects run). The person types at once.
        queueMicrotask(typeAtOnce);
        answered = await asked;
        return { result: { ok: true, detail: 'stored', held: true }, findingsAfter: report.findings };
      },
    });
    typeAtOnce = () => {
      app.stdin.write('qs3cret');
      app.stdin.write(keys.enter);
    };
    try {
      await waitForFrame(app.lastFrame, listed, 'the findings');
      app.stdin.write('b');
      await waitForFrame(app.lastFrame, (f) => f.includes('Run it? (y/N)'), 'the y/N');
      app.stdin.write('y');
      await waitForFrame(app.lastFrame, (f) => boxText(f).includes('re-check: the finding is gone'), 'the re-check');
      assert.equal(answered, 'qs3cret');
      assert.deepEqual(app.done, [], 'the q in the secret did not quit');
    } finally {
      app.unmount();
    }
  });

  it('a secret and its Enter that reach the app in one read (a paste, or keys faster than the app) give the answer', async () => {
    let answered: string | null | undefined;
    const app = await mount({
      runAction: async (_finding, _action, _onOutput, prompts) => {
        answered = await prompts.askSecret('New client secret for gh-app-acme (not shown as you type):');
        return { result: { ok: true, detail: 'stored', held: true }, findingsAfter: report.findings };
      },
    });
    try {
      await waitForFrame(app.lastFrame, listed, 'the findings');
      app.stdin.write('b');
      await waitForFrame(app.lastFrame, (f) => f.includes('Run it? (y/N)'), 'the y/N');
      app.stdin.write('y');
      await waitForFrame(app.lastFrame, (f) => f.includes('Enter gives it'), 'the prompt');
      app.stdin.write('s3cret\r');
      await waitForFrame(app.lastFrame, (f) => boxText(f).includes('re-check: the finding is gone'), 'the re-check');
      assert.equal(answered, 's3cret');
    } finally {
      app.unmount();
    }
  });

  it('a failing action: the error is shown, the finding is still listed, nothing else is lost', async () => {
    const app = await mount({
      runAction: async (_finding, _action, onOutput) => {
        onOutput('looking up the installation of acme-labs/infra…\n');
        throw new Error('GitHub answered 401: the app JWT was refused');
      },
    });
    try {
      await waitForFrame(app.lastFrame, listed, 'the findings');
      app.stdin.write(keys.down);
      await waitForFrame(app.lastFrame, (f) => /^› WARNING/m.test(f), 'the selection to move');
      app.stdin.write(keys.up);
      app.stdin.write('b');
      await waitForFrame(app.lastFrame, (f) => f.includes('Run it? (y/N)'), 'the y/N');
      app.stdin.write('y');
      const frame = await waitForFrame(app.lastFrame, (f) => boxText(f).includes('failed (rebind-installation): GitHub answered 401: the app JWT was refused'), 'the error');
      assertFits(app.lastFrame()!, small);
      assert.match(boxText(frame), /the fix stopped before its re-check: the finding is still listed/);
      assert.match(frame, /^› ERROR\s+Wrong installation gh-app-acme/m, 'the finding is still listed and selected');
      for (const title of ['Personal credential in CI', 'Rate limited', 'Refresh race']) assert.ok(frame.includes(title), `${title} is still listed`);
      assert.match(frame, /3 active: 1 error, 1 warning, 1 info · 1 resolved/);
      assert.deepEqual(app.runs, [{ id: 'wrong-installation', action: 'rebind-installation' }]);
      // Still usable: the runbook opens, and the key asks again.
      app.stdin.write(keys.enter);
      await waitForFrame(app.lastFrame, (f) => f.includes('[wrong-installation]') && f.includes('Evidence'), 'the runbook after the failure');
      app.stdin.write('b');
      await waitForFrame(app.lastFrame, (f) => f.includes('Run it? (y/N)'), 'the y/N again');
      app.stdin.write('n');
      await waitForFrame(app.lastFrame, (f) => !f.includes('Run it?') && f.includes('Evidence'), 'n cancels');
      assert.equal(app.runs.length, 1, 'n ran nothing');
      app.stdin.write('q');
      await waitForFrame(() => String(app.done.length), (n) => n === '1', 'onDone');
      assert.deepEqual(app.done, [1], 'an active error finding: exit 1');
    } finally {
      app.unmount();
    }
  });

  it('an action that reports failure shows its detail and the re-check', async () => {
    const app = await mount({ runAction: async () => ({ result: { ok: false, detail: 'no installation of the app owns acme-labs/infra', held: false }, findingsAfter: report.findings }) });
    try {
      await waitForFrame(app.lastFrame, listed, 'the findings');
      app.stdin.write('b');
      app.stdin.write('y');
      const frame = await waitForFrame(app.lastFrame, (f) => f.includes('re-check: the finding is still there'), 'the result');
      assert.match(boxText(frame), /failed \(rebind-installation\): no installation of the app owns acme-labs\/infra/);
      assert.match(frame, /^› ERROR\s+Wrong installation/m);
    } finally {
      app.unmount();
    }
  });

  it('a fix that held: the re-check says gone and the finding leaves the active list', async () => {
    const after = report.findings.filter((f) => f.id !== 'wrong-installation');
    const app = await mount({ runAction: async () => ({ result: { ok: true, detail: 'rebound to installation 7', held: true }, findingsAfter: after }) });
    try {
      await waitForFrame(app.lastFrame, listed, 'the findings');
      app.stdin.write('b');
      app.stdin.write('y');
      const frame = await waitForFrame(app.lastFrame, (f) => f.includes('re-check: the finding is gone'), 'the result');
      assert.doesNotMatch(frame, /Wrong installation/);
      assert.match(frame, /^› WARNING\s+Personal credential in CI/m, 'the next finding is selected');
      app.stdin.write(keys.escape);
      await waitForFrame(app.lastFrame, (f) => !f.includes('re-check'), 'Esc dismisses the result');
    } finally {
      app.unmount();
    }
  });

  it('/ filters the findings by name, id or summary; Esc clears it', async () => {
    const app = await mount();
    try {
      await waitForFrame(app.lastFrame, listed, 'the findings');
      app.stdin.write('/');
      for (const ch of 'alice') app.stdin.write(ch);
      let frame = await waitForFrame(app.lastFrame, (f) => /1 match/.test(f), 'the filter');
      assert.match(frame, /^› WARNING\s+Personal credential in CI alice-github/m);
      assert.doesNotMatch(frame, /Wrong installation|Refresh race/);
      assert.match(frame, /^\/alice/m);
      app.stdin.write(keys.enter);
      app.stdin.write(keys.escape);
      frame = await waitForFrame(app.lastFrame, (f) => listed(f) && !/match/.test(f), 'every finding back');
      assert.match(frame, /^› WARNING\s+Personal credential in CI/m, 'the selection kept');
      app.stdin.write('/');
      for (const ch of 'zzz') app.stdin.write(ch);
      await waitForFrame(app.lastFrame, (f) => f.includes('nothing matches /zzz'), 'an empty result says so');
    } finally {
      app.unmount();
    }
  });

  it('while the log is read, says how far: megabytes, percent and lines', async () => {
    let release = () => {};
    const app = await mount({ scanHeld: new Promise<void>((resolve) => (release = resolve)) });
    try {
      await waitForFrame(app.lastFrame, (f) => f.includes('reading the event log… 1.5 of 3.0 MB (50%), 12,345 lines'), 'the progress line');
      release();
      await waitForFrame(app.lastFrame, listed, 'the findings after it');
    } finally {
      app.unmount();
    }
  });

  it('R reads the log again', async () => {
    const app = await mount();
    try {
      await waitForFrame(app.lastFrame, listed, 'the findings');
      assert.equal(app.scans(), 1);
      app.stdin.write('R');
      await waitForFrame(() => String(app.scans()), (n) => n === '2', 'a second scan');
      await waitForFrame(app.lastFrame, (f) => listed(f) && !f.includes('reading the event log'), 'the findings after it');
    } finally {
      app.unmount();
    }
  });
});

describe('status and doctor: two views of one app', () => {
  it('d on a grid row opens the doctor on that connection, s goes back to the same row; every frame is the whole screen', async () => {
    const app = await mount({ start: 'status' });
    try {
      let frame = await waitForFrame(app.lastFrame, (f) => f.includes('NAME') && f.includes('agent-oidc'), 'the grid');
      assert.equal(app.scans(), 0, 'the grid does not read the whole log');
      assert.match(frame, /^› gh-app-acme/m, 'the error connection first');
      app.stdin.write('d');
      frame = await waitForFrame(app.lastFrame, (f) => f.includes('broker doctor') && f.includes('Wrong installation'), "gh-app-acme's findings");
      assert.match(frame, /gh-app-acme: 1 active: 1 error · d: all connections/);
      assert.doesNotMatch(frame, /Personal credential|Rate limited|Refresh race|NAME\s+PROVIDER/, 'only its findings, nothing of the grid');
      assert.equal(lines(app.lastFrame()!).length, small.rows - 1, 'the frame fills the screen, so no line of the grid stays');
      app.stdin.write('s');
      frame = await waitForFrame(app.lastFrame, (f) => f.includes('broker status'), 'the grid again');
      assert.match(frame, /^› gh-app-acme/m, 'the same row selected');
      assert.doesNotMatch(frame, /Wrong installation gh-app-acme ·/);
      assert.equal(lines(app.lastFrame()!).length, small.rows - 1);
      app.stdin.write(keys.down);
      app.stdin.write(keys.down);
      frame = await waitForFrame(app.lastFrame, (f) => /^› agent-oidc/m.test(f), 'agent-oidc selected');
      app.stdin.write('d');
      frame = await waitForFrame(app.lastFrame, (f) => f.includes('agent-oidc: No active findings'), "agent-oidc's findings: only a resolved one");
      assert.match(frame, /resolved 08:50 Refresh race agent-oidc/);
      app.stdin.write('d');
      await waitForFrame(app.lastFrame, (f) => /^3 active/m.test(f) && listed(f), 'd: every connection');
      app.stdin.write('q');
      await waitForFrame(() => String(app.done.length), (n) => n === '1', 'onDone');
      assert.deepEqual(app.done, [1]);
    } finally {
      app.unmount();
    }
  });
});

describe('a standing notice (the demo\'s hints)', () => {
  it('stays under the title in both views and in the detail, one line each, cut to the width, and the frame still fits', async () => {
    const notice = ['demo: sign in at http://127.0.0.1:40527 as agents@acme.test, any password works', `demo: ${'x'.repeat(120)}\u001b[2J`];
    const app = await mount({ notice });
    try {
      let frame = await waitForFrame(app.lastFrame, listed, 'the findings');
      assertFits(frame, small);
      assert.match(lines(frame)[1]!, /^demo: sign in at http:\/\/127\.0\.0\.1:40527 as agents@acme\.test, any password works$/);
      assert.match(lines(frame)[2]!, /^demo: x+…$/, 'cut, not wrapped');
      assert.ok(!frame.includes('\u001b[2J'), 'no control character reaches the screen');
      app.stdin.write(keys.enter);
      frame = await waitForFrame(app.lastFrame, (f) => f.includes('What happened'), 'the detail');
      assert.match(frame, /^demo: sign in at /m);
      assertFits(frame, small);
      app.stdin.write('s');
      frame = await waitForFrame(app.lastFrame, (f) => f.includes('broker status'), 'the grid');
      assert.match(lines(frame)[1]!, /^demo: sign in at /);
      assertFits(frame, small);
    } finally {
      app.unmount();
    }
  });
});

describe('log text and runbook text reach the screen without a control character', () => {
  it('a hostile summary, evidence line, title, label and runbook: list, detail, help and y/N', async () => {
    const { parseRunbook } = await import('../../src/core/runbook.js');
    const hostile: Finding = {
      id: 'wrong-installation',
      severity: 'error',
      conn: 'app',
      title: 'Wrong\u0007 installation',
      // Short, so the escape sits inside the 80 columns of the row, not in the part cut with "…".
      summary: 'app: evil\u001b]0;pwned\u0007 404\u009b2J\u0008',
      evidence: [{ file: 'events.jsonl', line: 7, ts: '2026-11-22T08:00:00.000Z', text: 'request app path=/repos/evil\u001b[2J\u001b[31m' }],
      actions: [{ key: 'b', action: 'rebind-installation', label: 'Rebind\u001b[5m now' }],
      state: 'active',
    };
    const runbook = parseRunbook('---\nid: wrong-installation\ntitle: Wrong installation\nseverity: error\nactions: []\n---\n## What happened\n\nText with \u001b[2J an **escape\u0007** and `code\u009b`.\n\n## Fix\n\n```\nbroker \u001b]8;;http://x\u0007link\n```\n');
    const done: number[] = [];
    const app = await renderSized(
      <App
        start="doctor"
        status={{ load: async () => snapshot, snapshot }}
        doctor={{ scan: async () => ({ ...report, findings: [hostile] }), runbook: () => runbook, runAction: async () => ({ result: { ok: false, detail: 'no\u001b[2J', held: false }, findingsAfter: [hostile] }) }}
        clock={() => new Date(report.window.until)}
        onDone={(code) => done.push(code)}
      />,
    );
    // Ink's own colours (when FORCE_COLOR asks for them) are SGR sequences; anything else is a leak. The hostile text carries a clear-screen and an OSC, which are not SGR.
    const clean = (what: string) => assert.doesNotMatch(app.lastFrame()!.replace(/\u001b\[[0-9;]*m/g, ''), /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/, what);
    try {
      await waitForFrame(app.lastFrame, (f) => f.includes('404'), 'the list');
      clean('the list');
      app.stdin.write(keys.enter);
      await waitForFrame(app.lastFrame, (f) => f.includes('What happened'), 'the detail');
      clean('the detail');
      app.stdin.write('G');
      await waitForFrame(app.lastFrame, (f) => f.includes('link'), 'the end of the runbook');
      clean('the runbook');
      app.stdin.write('?');
      await waitForFrame(app.lastFrame, (f) => f.includes('keys:'), 'the help');
      clean('the help');
      app.stdin.write('?');
      app.stdin.write('b');
      await waitForFrame(app.lastFrame, (f) => f.includes('Run it?'), 'the y/N');
      clean('the y/N');
      app.stdin.write('y');
      await waitForFrame(app.lastFrame, (f) => f.includes('re-check'), 'the result');
      clean('the result');
    } finally {
      app.unmount();
    }
  });
});
