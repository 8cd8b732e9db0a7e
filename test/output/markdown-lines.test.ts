import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseRunbook } from '../../src/core/runbook.js';
import { inlineSpans, markdownLines } from '../../src/output/markdown-lines.js';
import { lineText, truncateLine, wrapText, type StyledLine } from '../../src/output/styled-lines.js';

const text = (lines: StyledLine[]) => lines.map(lineText);
const styled = (lines: StyledLine[]) => lines.map((l) => l.filter((s) => s.text.trim() !== '').map((s) => `${s.style}:${s.text.trim()}`));

describe('inlineSpans', () => {
  const table: Array<[string, string, string[]]> = [
    ['plain text', 'just words', ['text:just words']],
    ['bold', 'the **same refresh token** twice', ['text:the ', 'strong:same refresh token', 'text: twice']],
    ['emphasis with * and _', 'an *old* and _new_ one', ['text:an ', 'em:old', 'text: and ', 'em:new', 'text: one']],
    ['code is literal', 'run `broker **login** NAME` now', ['text:run ', 'code:broker **login** NAME', 'text: now']],
    ['code inside bold', '**press `r`**', ['strong:press ', 'code:r']],
    ['snake_case is not emphasis', 'error_description and x_ratelimit_remaining', ['text:error_description and x_ratelimit_remaining']],
    ['a lone star is a star', '2 * 3 and * bullets', ['text:2 * 3 and * bullets']],
    ['an unclosed backtick stays', 'a ` b', ['text:a ` b']],
  ];
  for (const [what, input, expected] of table) it(what, () => assert.deepEqual(inlineSpans(input).map((s) => `${s.style}:${s.text}`), expected));
});

describe('markdownLines', () => {
  const table: Array<[string, string, number, string[]]> = [
    ['a paragraph is reflowed to the width', 'one two three\nfour five six seven', 14, ['one two three', 'four five six', 'seven']],
    ['paragraphs keep one blank line between them', 'a\n\n\n\nb', 20, ['a', '', 'b']],
    ['a numbered list hangs its text under the first word', '1. first item that wraps\n2. second', 16, ['1. first item', '   that wraps', '2. second']],
    ['a bullet becomes •, continuation lines join the item', '- one\n  more of one\n- two', 30, ['• one more of one', '• two']],
    ['a nested bullet keeps its indent', '- top\n  - inner item', 30, ['• top', '  • inner item']],
    ['a fenced code block is kept as written, indented, never reflowed', 'Run:\n\n```\nbroker   refresh NAME\n```\nthen', 40, ['Run:', '', '  broker   refresh gh-work', '', 'then']],
    ['a code line longer than the width is split, not cut', '```\nabcdefghijkl\n```', 7, ['  abcde', '  fghij', '  kl']],
    ['a word longer than the width is split', 'x aaaaaaaaaaaa', 5, ['x', 'aaaaa', 'aaaaa', 'aa']],
    ['a heading', '### Notes', 20, ['Notes']],
    ['NAME is the connection, as a whole word, in code too', 'Run `broker login NAME` for NAME, not NAMES; ci-NAME too', 80, ['Run broker login gh-work for gh-work, not NAMES; ci-gh-work too']],
  ];
  for (const [what, input, width, expected] of table) {
    it(what, () => assert.deepEqual(text(markdownLines(input, width, { vars: { NAME: 'gh-work' } })), expected));
  }

  it('styles: markers, bold, em, code, code blocks', () => {
    assert.deepEqual(styled(markdownLines('1. **Press** the *refresh* key: `r`\n\n```\nbroker refresh x\n```', 80)), [
      ['marker:1.', 'strong:Press', 'text:the', 'em:refresh', 'text:key:', 'code:r'],
      [],
      ['codeBlock:broker refresh x'],
    ]);
  });

  it('no control character survives: runbooks are team-editable', () => {
    const lines = markdownLines('a \u001b]0;pwned\u0007 title\n```\n\u009b2J\n```', 80, { vars: { NAME: 'x\u001b[2Jy' } });
    for (const line of text(lines)) assert.doesNotMatch(line, /[\u0000-\u001f\u007f-\u009f]/);
  });

  it('every runbook renders, every line within the width, at 80 and at 40 columns', () => {
    const dir = new URL('../../runbooks/', import.meta.url);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.md'))) {
      const runbook = parseRunbook(readFileSync(new URL(file, dir), 'utf8'));
      for (const width of [80, 40]) {
        for (const [section, body] of Object.entries(runbook.sections)) {
          const lines = text(markdownLines(body, width, { vars: { NAME: 'a-connection-name' } }));
          assert.ok(lines.length > 0, `${file} ${section}`);
          for (const line of lines) assert.ok(line.length <= width, `${file} ${section} at ${width}: "${line}"`);
          assert.ok(!lines.some((l) => /\*\*|`/.test(l)), `${file} ${section}: Markdown marks left in ${JSON.stringify(lines)}`);
        }
      }
    }
  });
});

describe('wrapText and truncateLine', () => {
  it('indents the first line and hangs the rest', () => {
    assert.deepEqual(text(wrapText('alpha beta gamma', 12, 'text', { indent: 2, hanging: 4 })), ['  alpha beta', '    gamma']);
  });
  it('cuts with an ellipsis', () => {
    assert.equal(lineText(truncateLine([{ text: 'abcdefgh', style: 'text' }], 5)), 'abcd…');
    assert.equal(lineText(truncateLine([{ text: 'abc', style: 'text' }], 5)), 'abc');
  });
});
