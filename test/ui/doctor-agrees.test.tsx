import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolvedScenario } from '../support/resolved-scenario.js';
import { renderSized } from '../support/sized-render.js';
import { waitForFrame } from '../support/wait-for-frame.js';
import { formatDoctorJson } from '../../src/output/doctor-json.js';
import { formatDoctorText } from '../../src/output/doctor-text.js';

// Piped, --json and the terminal tell the same story: the same findings active, the same resolved.

delete process.env.CI;
delete process.env.CONTINUOUS_INTEGRATION;
const { App } = await import('../../src/ui/screens/App.js');

const { report, runbooks, snapshot } = resolvedScenario();
const idOfTitle = new Map([...runbooks.values()].map((r) => [r.title, r.id]));
type Story = { active: string[]; resolved: string[] };
const sorted = (s: Story): Story => ({ active: [...s.active].sort(), resolved: [...s.resolved].sort() });

/** The TUI's rows: "SEVERITY Title conn · summary" above the resolved heading, "resolved HH:MM Title conn · summary" under it. */
function tuiStory(frame: string): Story {
  const story: Story = { active: [], resolved: [] };
  let section: keyof Story = 'active';
  for (const line of frame.split('\n')) {
    if (line.startsWith('resolved (history, not health)')) section = 'resolved';
    const row = /^[› ] (?:CRITICAL|ERROR|WARNING|INFO|resolved(?: [\d-]+)? \d\d:\d\d)\s+(.+?) (\S+) · /.exec(line);
    if (!row) continue;
    const id = idOfTitle.get(row[1]!);
    assert.ok(id, `no runbook has the title "${row[1]}"`);
    story[section].push(`${id} ${row[2]}`);
  }
  return sorted(story);
}

function jsonStory(json: string): Story {
  const findings = (JSON.parse(json) as { findings: Array<{ id: string; conn: string; state: string }> }).findings;
  return sorted({ active: findings.filter((f) => f.state === 'active').map((f) => `${f.id} ${f.conn}`), resolved: findings.filter((f) => f.state === 'resolved').map((f) => `${f.id} ${f.conn}`) });
}

/** The piped report: "ERROR Title (conn) [id]" headings, then "  resolved severity id (conn): …" lines under "Resolved in the window". */
function textStory(text: string): Story {
  const story: Story = { active: [], resolved: [] };
  for (const line of text.split('\n')) {
    const active = /^(?:CRITICAL|ERROR|WARNING|INFO) .+ \((\S+)\) \[([\w-]+)\]$/.exec(line);
    if (active) story.active.push(`${active[2]} ${active[1]}`);
    const resolved = /^ {2}resolved \w+ ([\w-]+) \((\S+)\): /.exec(line);
    if (resolved) story.resolved.push(`${resolved[1]} ${resolved[2]}`);
  }
  return sorted(story);
}

describe('piped, --json and the TUI agree on what is active and what is resolved', () => {
  it('a scenario with both: the several failures, then agent-oidc refreshed fine', async () => {
    const done: number[] = [];
    const app = await renderSized(
      <App
        start="doctor"
        status={{ load: async () => snapshot, snapshot }}
        doctor={{ scan: async () => report, runbook: (id) => runbooks.get(id), runAction: async () => ({ result: { ok: true, detail: '', held: true }, findingsAfter: [] }) }}
        clock={() => new Date(report.window.until)}
        onDone={(code) => done.push(code)}
      />,
    );
    try {
      const frame = await waitForFrame(app.lastFrame, (f) => f.includes('resolved (history, not health)'), 'the findings');
      const tui = tuiStory(frame);
      assert.ok(tui.active.length > 0 && tui.resolved.length > 0, `both kinds on screen: ${JSON.stringify(tui)}`);
      assert.deepEqual(tui, { active: ['personal-in-ci alice-github', 'rate-limited github-work', 'wrong-installation gh-app-acme'], resolved: ['refresh-race agent-oidc'] });
      assert.deepEqual(jsonStory(formatDoctorJson(report)), tui, '--json');
      assert.deepEqual(textStory(formatDoctorText(report, runbooks)), tui, 'piped');
      app.stdin.write('q');
      await waitForFrame(() => String(done.length), (n) => n === '1', 'onDone');
      assert.deepEqual(done, [report.exitCode], 'and the same exit code');
    } finally {
      app.unmount();
    }
  });
});
