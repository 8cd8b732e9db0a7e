import type { Severity } from '../core/findings.js';

// Text laid out for a terminal of a given width: lines of styled spans, each line at most `width`
// characters, so a screen can count its lines before drawing them. Styles are names; the Ink
// theme (src/ui/theme.ts) decides what each looks like.

export type SpanStyle = 'text' | 'strong' | 'em' | 'code' | 'codeBlock' | 'heading' | 'marker' | 'muted' | 'ok' | Severity;

export interface Span {
  text: string;
  style: SpanStyle;
}

export type StyledLine = Span[];

export function lineText(line: StyledLine): string {
  return line.map((s) => s.text).join('');
}

export interface WrapOptions {
  /** Spaces before the first line. */
  indent?: number;
  /** Spaces before every following line (a list item's text under its own first word); defaults to indent. */
  hanging?: number;
}

/**
 * Greedy word wrap of styled spans: breaks at whitespace, splits a word longer than a line
 * (a JSON log line, a URL) into pieces, and never returns a line longer than width.
 */
export function wrapSpans(spans: readonly Span[], width: number, options: WrapOptions = {}): StyledLine[] {
  const indent = options.indent ?? 0;
  const hanging = options.hanging ?? indent;
  const words = toWords(spans);
  const lines: StyledLine[] = [];
  let line: Span[] = [];
  let used = 0;
  let lead = indent;
  const room = () => Math.max(1, width - lead);
  const flush = () => {
    lines.push(lead > 0 ? [{ text: ' '.repeat(lead), style: 'text' }, ...line] : line);
    line = [];
    used = 0;
    lead = hanging;
  };
  for (const word of words) {
    const length = spanLength(word);
    if (used > 0 && used + 1 + length > room()) flush();
    if (used > 0) {
      append(line, { text: ' ', style: word[0]?.style === lastStyle(line) ? word[0]!.style : 'text' });
      used += 1;
    }
    let rest = word;
    while (spanLength(rest) > room() - used) {
      const [head, tail] = splitSpans(rest, room() - used);
      for (const s of head) append(line, s);
      flush();
      rest = tail;
    }
    for (const s of rest) append(line, s);
    used += spanLength(rest);
  }
  if (line.length > 0 || lines.length === 0) flush();
  return lines;
}

/**
 * A label and its wrapped text hanging under it: "1. text…", "scopes  repo read:org…".
 * The lead's width is the indent of every line.
 */
export function hangUnder(lead: readonly Span[], spans: readonly Span[], width: number, indent = 0): StyledLine[] {
  const leadWidth = spanLength(lead);
  if (indent + leadWidth === 0) return wrapSpans(spans, width);
  const lines = wrapSpans(spans, width, { indent: indent + leadWidth });
  const first = lines[0]!.slice(1);
  const pad: Span[] = indent > 0 ? [{ text: ' '.repeat(indent), style: 'text' }] : [];
  lines[0] = [...pad, ...lead.map((s) => ({ ...s })), ...first];
  return lines;
}

/** Plain text wrapped in one style. */
export function wrapText(text: string, width: number, style: SpanStyle = 'text', options: WrapOptions = {}): StyledLine[] {
  return wrapSpans([{ text, style }], width, options);
}

/** Cuts a line to width with an ellipsis, so a cut is never mistaken for the whole value. */
export function truncateLine(line: StyledLine, width: number): StyledLine {
  if (spanLength(line) <= width) return line;
  const [head] = splitSpans(line, Math.max(0, width - 1));
  return [...head, { text: '…', style: 'muted' }];
}

function toWords(spans: readonly Span[]): Span[][] {
  const words: Span[][] = [];
  let current: Span[] = [];
  for (const span of spans) {
    for (const piece of span.text.split(/(\s+)/)) {
      if (piece === '') continue;
      if (/^\s+$/.test(piece)) {
        if (current.length > 0) words.push(current);
        current = [];
      } else current.push({ text: piece, style: span.style });
    }
  }
  if (current.length > 0) words.push(current);
  return words;
}

function splitSpans(spans: readonly Span[], at: number): [Span[], Span[]] {
  const head: Span[] = [];
  const tail: Span[] = [];
  let left = Math.max(0, at);
  for (const s of spans) {
    if (left >= s.text.length) {
      head.push(s);
      left -= s.text.length;
    } else if (left > 0) {
      head.push({ text: s.text.slice(0, left), style: s.style });
      tail.push({ text: s.text.slice(left), style: s.style });
      left = 0;
    } else tail.push(s);
  }
  return [head, tail];
}

function append(line: Span[], span: Span): void {
  const last = line.at(-1);
  if (last && last.style === span.style) last.text += span.text;
  else line.push({ ...span });
}

function lastStyle(line: Span[]): SpanStyle | undefined {
  return line.at(-1)?.style;
}

function spanLength(spans: readonly Span[]): number {
  return spans.reduce((n, s) => n + s.text.length, 0);
}
