import { actionIds, severities, type ActionId, type Finding, type Severity } from './findings.js';

// runbooks/<id>.md: YAML front matter (id, title, severity, actions) and Markdown sections. The
// front matter uses a small YAML subset (scalars and one list of maps), parsed here without a dependency.

export interface RunbookAction {
  key: string;
  action: ActionId;
  label: string;
  confirm: boolean;
}

export interface Runbook {
  id: string;
  title: string;
  severity: Severity;
  actions: RunbookAction[];
  /** Section title → Markdown text, e.g. sections["Fix"]. */
  sections: Record<string, string>;
}

export const runbookSections = ['What happened', 'Why', 'Fix', 'Verify', 'Prevent'] as const;

export class RunbookError extends Error {}

export function parseRunbook(text: string): Runbook {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  if (!match) throw new RunbookError('no front matter: the file must start with a --- block');
  const meta = parseFrontMatter(match[1]!);
  const id = scalar(meta, 'id');
  const title = scalar(meta, 'title');
  const severity = scalar(meta, 'severity');
  if (!(severities as readonly string[]).includes(severity)) throw new RunbookError(`severity "${severity}" is not one of ${severities.join(', ')}`);
  const actions = (meta.actions ?? []) as Array<Record<string, string>>;
  if (!Array.isArray(actions)) throw new RunbookError('actions must be a list');
  return {
    id,
    title,
    severity: severity as Severity,
    actions: actions.map((a, i) => {
      if (!(actionIds as readonly string[]).includes(a.action ?? '')) throw new RunbookError(`actions[${i}]: unknown action "${a.action}" (known: ${actionIds.join(', ')})`);
      if (!a.key || a.key.length !== 1) throw new RunbookError(`actions[${i}]: key must be one character`);
      return { key: a.key, action: a.action as ActionId, label: a.label ?? a.action!, confirm: a.confirm !== 'false' };
    }),
    sections: parseSections(match[2]!),
  };
}

/** A finding named by its runbook's title, its actions with the keys and labels the runbook gives them (the rule picks which, the runbook names them). */
export function withRunbook(finding: Finding, runbook: Runbook | undefined): Finding {
  if (!runbook) return finding;
  return {
    ...finding,
    title: runbook.title,
    actions: finding.actions.map((ref) => {
      const named = runbook.actions.find((a) => a.action === ref.action);
      return named ? { key: named.key, action: ref.action, label: named.label } : ref;
    }),
  };
}

type FrontMatter = Record<string, string | Array<Record<string, string>>>;

function parseFrontMatter(text: string): FrontMatter {
  const out: FrontMatter = {};
  let list: Array<Record<string, string>> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    if (raw.trim() === '' || raw.trim().startsWith('#')) continue;
    const item = /^\s+-\s+([A-Za-z_]+):\s*(.*)$/.exec(raw);
    const cont = /^\s+([A-Za-z_]+):\s*(.*)$/.exec(raw);
    const top = /^([A-Za-z_]+):\s*(.*)$/.exec(raw);
    if (item && list) list.push({ [item[1]!]: unquote(item[2]!) });
    else if (cont && list && list.length > 0) list.at(-1)![cont[1]!] = unquote(cont[2]!);
    else if (top) {
      const value = top[2]!.trim();
      if (value === '' || value === '[]') {
        list = [];
        out[top[1]!] = list;
      } else {
        list = undefined;
        out[top[1]!] = unquote(value);
      }
    } else throw new RunbookError(`front matter line not understood: ${raw.trim()}`);
  }
  return out;
}

function scalar(meta: FrontMatter, key: string): string {
  const value = meta[key];
  if (typeof value !== 'string' || value === '') throw new RunbookError(`front matter needs ${key}`);
  return value;
}

function unquote(value: string): string {
  const v = value.trim();
  if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'")))) return v.slice(1, -1);
  return v;
}

function parseSections(body: string): Record<string, string> {
  const sections: Record<string, string> = {};
  let current: string | undefined;
  const lines: string[] = [];
  const flush = () => {
    if (current !== undefined) sections[current] = lines.join('\n').trim();
    lines.length = 0;
  };
  for (const line of body.split(/\r?\n/)) {
    const heading = /^##\s+(.+?)\s*$/.exec(line);
    if (heading) {
      flush();
      current = heading[1]!;
    } else if (current !== undefined) lines.push(line);
  }
  flush();
  return sections;
}
