import { stripControl } from '../core/strip-control.js';
import { hangUnder, wrapSpans, type Span, type SpanStyle, type StyledLine } from './styled-lines.js';

// The Markdown a runbook uses, laid out for a terminal: paragraphs reflowed to the width, numbered
// and bulleted lists with their text hanging under the first word, fenced code blocks kept as
// written (split, never reflowed), headings, and **bold**, *em* and `code` inline. Runbooks are
// team-editable, so every line passes stripControl. No dependency: this is the subset runbooks use.

export interface MarkdownOptions {
  /** Whole words replaced everywhere, code included: { NAME: 'github-work' }. */
  vars?: Readonly<Record<string, string>>;
}

type Block =
  | { kind: 'blank' }
  | { kind: 'paragraph'; text: string }
  | { kind: 'heading'; text: string }
  | { kind: 'item'; indent: number; marker: string; text: string }
  | { kind: 'code'; lines: string[] };

const fence = /^\s*(```|~~~)/;
const listItem = /^(\s*)([-*+]|\d{1,3}[.)])\s+(.*)$/;
const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/;

export function markdownLines(markdown: string, width: number, options: MarkdownOptions = {}): StyledLine[] {
  const source = markdown.split(/\r?\n/).map((line) => substitute(stripControl(line), options.vars ?? {}));
  const out: StyledLine[] = [];
  for (const block of toBlocks(source)) {
    switch (block.kind) {
      case 'blank':
        if (out.length > 0 && out.at(-1)!.length > 0) out.push([]);
        break;
      case 'paragraph':
        out.push(...wrapSpans(inlineSpans(block.text), width));
        break;
      case 'heading':
        out.push(...wrapSpans(inlineSpans(block.text, 'heading'), width));
        break;
      case 'item': {
        const marker = /^[-*+]$/.test(block.marker) ? '•' : block.marker;
        const indent = Math.min(block.indent, Math.floor(width / 4));
        out.push(...hangUnder([{ text: marker, style: 'marker' }, { text: ' ', style: 'text' }], inlineSpans(block.text), width, indent));
        break;
      }
      case 'code':
        for (const line of block.lines) out.push(...codeLine(line, width));
        break;
    }
  }
  while (out.length > 0 && out.at(-1)!.length === 0) out.pop();
  return out;
}

function toBlocks(lines: string[]): Block[] {
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (fence.test(line)) {
      const marker = fence.exec(line)![1]!;
      const code: string[] = [];
      for (i++; i < lines.length && !lines[i]!.trim().startsWith(marker); i++) code.push(lines[i]!);
      blocks.push({ kind: 'blank' }, { kind: 'code', lines: code }, { kind: 'blank' });
      continue;
    }
    if (line.trim() === '') {
      blocks.push({ kind: 'blank' });
      continue;
    }
    const h = heading.exec(line);
    if (h) {
      blocks.push({ kind: 'heading', text: h[1]! });
      continue;
    }
    const item = listItem.exec(line);
    const last = blocks.at(-1);
    if (item) blocks.push({ kind: 'item', indent: item[1]!.length, marker: item[2]!, text: item[3]! });
    // A line that continues the item or the paragraph above it (Markdown's lazy continuation).
    else if (last?.kind === 'item' || last?.kind === 'paragraph') last.text += ` ${line.trim()}`;
    else blocks.push({ kind: 'paragraph', text: line.trim() });
  }
  return blocks;
}

/** A code line is split at the width, never reflowed: a command must stay copyable. */
function codeLine(line: string, width: number): StyledLine[] {
  const indent = 2;
  const room = Math.max(1, width - indent);
  const text = line.replace(/\s+$/, '');
  if (text === '') return [[{ text: ' '.repeat(indent), style: 'text' }]];
  const pieces: StyledLine[] = [];
  for (let at = 0; at < text.length; at += room) pieces.push([{ text: ' '.repeat(indent), style: 'text' }, { text: text.slice(at, at + room), style: 'codeBlock' }]);
  return pieces;
}

/** `code` first (its text is literal), then **strong**, then *em* or _em_ between word boundaries. */
export function inlineSpans(text: string, base: SpanStyle = 'text'): Span[] {
  const spans: Span[] = [];
  const push = (t: string, style: SpanStyle) => {
    if (t === '') return;
    const last = spans.at(-1);
    if (last && last.style === style) last.text += t;
    else spans.push({ text: t, style });
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '`') {
      const close = text.indexOf('`', i + 1);
      if (close > i + 1) {
        push(text.slice(i + 1, close), 'code');
        i = close + 1;
        continue;
      }
    }
    if (text.startsWith('**', i) || text.startsWith('__', i)) {
      const marker = text.slice(i, i + 2);
      const close = text.indexOf(marker, i + 2);
      if (close > i + 2 && !/\s/.test(text[i + 2]!)) {
        for (const s of inlineSpans(text.slice(i + 2, close), 'strong')) push(s.text, s.style === 'text' ? 'strong' : s.style);
        i = close + 2;
        continue;
      }
    }
    if ((ch === '*' || ch === '_') && emphasisOpens(text, i)) {
      const close = emphasisClose(text, i);
      if (close !== -1) {
        for (const s of inlineSpans(text.slice(i + 1, close), 'em')) push(s.text, s.style === 'text' ? 'em' : s.style);
        i = close + 1;
        continue;
      }
    }
    push(ch, base);
    i++;
  }
  return spans;
}

function emphasisOpens(text: string, i: number): boolean {
  const before = text[i - 1];
  const after = text[i + 1];
  return after !== undefined && !/\s/.test(after) && after !== text[i] && (before === undefined || /[\s([{"'—-]/.test(before));
}

function emphasisClose(text: string, i: number): number {
  const marker = text[i]!;
  for (let j = i + 2; j < text.length; j++) {
    if (text[j] !== marker) continue;
    const after = text[j + 1];
    if (!/\s/.test(text[j - 1]!) && (after === undefined || /[\s.,;:!?)\]}"'—-]/.test(after))) return j;
  }
  return -1;
}

function substitute(line: string, vars: Readonly<Record<string, string>>): string {
  let out = line;
  for (const [name, value] of Object.entries(vars)) out = out.replace(new RegExp(`\\b${name}\\b`, 'g'), () => stripControl(value));
  return out;
}
