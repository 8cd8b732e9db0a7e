import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toStatusReport } from '../../src/core/health-rows.js';
import { formatStatusJson } from '../../src/output/status-json.js';
import { resolvedScenario } from '../support/resolved-scenario.js';

describe('broker status --json findings', () => {
  it('say whether each is active or resolved, and when a resolved one ended; health counts only the active', () => {
    const { report, snapshot } = resolvedScenario();
    const now = new Date(report.window.until);
    const doc = JSON.parse(formatStatusJson(toStatusReport(snapshot, now), now));
    const oidc = doc.connections.find((c: { name: string }) => c.name === 'agent-oidc');
    const race = oidc.findings.find((f: { id: string }) => f.id === 'refresh-race');
    const resolved = report.findings.find((f) => f.id === 'refresh-race' && f.conn === 'agent-oidc')!;
    assert.equal(resolved.state, 'resolved');
    assert.deepEqual({ state: race.state, resolvedAt: race.resolvedAt }, { state: 'resolved', resolvedAt: resolved.resolvedAt });
    assert.equal(oidc.findings.length, 1, 'its only finding is the resolved race');
    assert.equal(oidc.health, 'ok', 'a resolved finding does not count');
    const acme = doc.connections.find((c: { name: string }) => c.name === 'gh-app-acme');
    assert.ok(acme.findings.every((f: { state: string; resolvedAt?: string }) => f.state === 'active' && f.resolvedAt === undefined));
    assert.equal(acme.health, 'error');
  });
});
