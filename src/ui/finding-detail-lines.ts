import type { Finding } from '../core/findings.js';
import { runbookSections, type Runbook } from '../core/runbook.js';
import { stripControl } from '../core/strip-control.js';
import { markdownLines } from '../output/markdown-lines.js';
import { hangUnder, wrapSpans, wrapText, type Span, type StyledLine } from '../output/styled-lines.js';

// The doctor's detail of one finding, laid out for the terminal's width: the whole summary, what
// can be run, the evidence, then the whole runbook with NAME replaced by the connection's name.
// It scrolls in the viewport, so nothing is cut.

export function findingTitleLine(finding: Finding): Span[] {
  return [
    finding.state === 'resolved' ? { text: 'resolved', style: 'muted' } : { text: finding.severity.toUpperCase(), style: finding.severity },
    { text: ' ', style: 'text' },
    { text: stripControl(finding.title ?? finding.id), style: 'strong' },
    { text: `${finding.conn ? ` · ${stripControl(finding.conn)}` : ''} [${finding.id}]`, style: 'muted' },
  ];
}

export function findingDetailLines(finding: Finding, runbook: Runbook | undefined, width: number): StyledLine[] {
  const lines: StyledLine[] = [...wrapText(stripControl(finding.summary), width)];
  const gap = () => lines.push([]);
  if (finding.state === 'resolved') {
    gap();
    lines.push(...wrapText(`resolved at ${utc(finding.resolvedAt)}: history, not health; nothing to run`, width, 'muted'));
  } else {
    gap();
    lines.push([{ text: 'Actions', style: 'heading' }]);
    if (finding.actions.length === 0) lines.push(...wrapText("none automatic: the runbook's Fix says what to do", width, 'muted', { indent: 2 }));
    for (const a of finding.actions) lines.push(...hangUnder([{ text: `[${stripControl(a.key)}]`, style: 'strong' }, { text: ' ', style: 'text' }], [{ text: `${stripControl(a.label)} (asks y/N)`, style: 'text' }], width, 2));
  }
  if (finding.evidence.length > 0) {
    gap();
    lines.push([{ text: `Evidence (${finding.evidence.length})`, style: 'heading' }]);
    for (const e of finding.evidence) {
      lines.push(...wrapSpans([{ text: `${e.line > 0 ? `${e.file}:${e.line}` : e.file}  ${e.ts}`, style: 'muted' }], width, { indent: 2 }));
      lines.push(...wrapText(stripControl(e.text), width, 'text', { indent: 4 }));
    }
  }
  const vars = finding.conn ? { NAME: finding.conn } : undefined;
  if (!runbook) {
    gap();
    lines.push(...wrapText(`no runbook found: runbooks/${finding.id}.md`, width, 'muted'));
    return lines;
  }
  const order = [...runbookSections, ...Object.keys(runbook.sections).filter((s) => !(runbookSections as readonly string[]).includes(s))];
  for (const section of order) {
    const text = runbook.sections[section];
    if (text === undefined) continue;
    gap();
    lines.push(...wrapText(stripControl(section), width, 'heading'));
    for (const line of markdownLines(text, width - 2, { vars })) lines.push(line.length === 0 ? [] : [{ text: '  ', style: 'text' }, ...line]);
  }
  gap();
  lines.push([{ text: `runbooks/${finding.id}.md`, style: 'muted' }]);
  return lines;
}

function utc(iso: string | undefined): string {
  return iso ? `${iso.slice(0, 19).replace('T', ' ')} UTC` : 'an unknown time';
}
