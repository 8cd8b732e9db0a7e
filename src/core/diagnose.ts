import { severityRank, type Facts, type Finding, type Rule } from './findings.js';
import { rules as allRules } from './rules/index.js';

/** Runs every rule over the facts; drops acknowledged findings; most severe first. */
export function diagnose(facts: Facts, rules: readonly Rule[] = allRules): Finding[] {
  const findings = rules.flatMap((rule) => rule.check(facts)).filter((f) => !isAcknowledged(f, facts));
  return findings.sort(
    (a, b) => severityRank[a.severity] - severityRank[b.severity] || (a.conn ?? '').localeCompare(b.conn ?? '') || a.id.localeCompare(b.id),
  );
}

function isAcknowledged(finding: Finding, facts: Facts): boolean {
  const conn = facts.connections.find((c) => c.name === finding.conn);
  return conn?.acknowledgements.some((a) => a.id === finding.id && Date.parse(a.until) > facts.now.getTime()) ?? false;
}
