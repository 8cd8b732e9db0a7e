import type { LoggedEvent } from './events.js';
import { isFailing, severityRank, type FinishContext, type Finding, type ProviderOf, type Rule } from './findings.js';
import { finishStories, observeStories, startStories, type StoryState } from './refresh-story.js';
import { rules as allRules } from './rules/index.js';
import type { Connection } from './state-schema.js';

// Runs every rule as one fold over the log: each event is read once and handed to every rule.

/** A rule that threw: named, with the log line it was reading, while the other rules go on (STYLE 17). */
export interface RuleFailure {
  rule: string;
  /** "events.jsonl:1234" when it failed on a line; absent when it failed while concluding. */
  at?: string;
  message: string;
}

export interface Diagnosis {
  /** Shown findings: active first, then resolved; most severe first within each. */
  findings: Finding[];
  /** Findings hidden by an acknowledgement that has not run out. */
  acknowledged: number;
  ruleFailures: RuleFailure[];
}

export type NowContext = Omit<FinishContext, 'stories'>;

/** Everything the fold holds after some events: plain data, so the doctor can cache it and read on from there. */
export interface DiagnosisState {
  stories: StoryState;
  rules: Record<string, unknown>;
  failures: RuleFailure[];
}

export interface DiagnosisRun {
  observe(logged: LoggedEvent): void;
  /** The findings as of now; the fold can read on afterwards and be finished again. */
  finish(ctx: NowContext): Diagnosis;
  state(): DiagnosisState;
}

const storiesName = 'refresh-story';

/**
 * Where this fold's code lives. In the bundle it is a chunk whose name carries a hash of its
 * content (rules included), so a cached state is tied to the code that made it.
 */
export const foldCode = import.meta.url;

export function startDiagnosis(connections: readonly Connection[], options: { rules?: readonly Rule[]; resume?: DiagnosisState } = {}): DiagnosisRun {
  const rules = options.rules ?? allRules;
  const providers: ProviderOf = new Map(connections.map((c) => [c.name, c.provider]));
  const state: DiagnosisState = options.resume ?? { stories: startStories(), rules: {}, failures: [] };
  for (const rule of rules) if (!(rule.id in state.rules)) state.rules[rule.id] = rule.start();
  const failed = new Set(state.failures.map((f) => f.rule));
  const fail = (rule: string, err: unknown, logged?: LoggedEvent) => {
    failed.add(rule);
    state.failures.push({ rule, ...(logged ? { at: `${logged.file}:${logged.line}` } : {}), message: err instanceof Error ? err.message : String(err) });
  };
  const observing = rules.filter((r) => r.observe !== undefined);
  return {
    observe(logged) {
      if (!failed.has(storiesName)) {
        try {
          observeStories(state.stories, logged, providers);
        } catch (err) {
          fail(storiesName, err, logged);
        }
      }
      for (const rule of observing) {
        if (failed.has(rule.id)) continue;
        try {
          rule.observe!(state.rules[rule.id], logged, providers);
        } catch (err) {
          fail(rule.id, err, logged);
        }
      }
    },
    finish(now) {
      const failures = [...state.failures];
      let stories: FinishContext['stories'] = new Map();
      try {
        if (!failed.has(storiesName)) stories = finishStories(state.stories, now.connections);
      } catch (err) {
        failures.push({ rule: storiesName, message: err instanceof Error ? err.message : String(err) });
      }
      const ctx: FinishContext = { ...now, stories };
      const found: Finding[] = [];
      for (const rule of rules) {
        if (failed.has(rule.id)) continue;
        try {
          found.push(...rule.finish(state.rules[rule.id], ctx));
        } catch (err) {
          failures.push({ rule: rule.id, message: err instanceof Error ? err.message : String(err) });
        }
      }
      const shown = found.filter((f) => !isAcknowledged(f, ctx));
      return { findings: shown.sort(byImportance), acknowledged: found.length - shown.length, ruleFailures: failures };
    },
    state: () => state,
  };
}

/** The whole diagnosis of a list of events (tests, scenarios): start, observe each, finish. */
export function diagnoseEvents(ctx: NowContext, events: Iterable<LoggedEvent>, rules?: readonly Rule[]): Diagnosis {
  const run = startDiagnosis(ctx.connections, { rules });
  for (const logged of events) run.observe(logged);
  return run.finish(ctx);
}

/** The active findings that fail health and the exit code. */
export function failingFindings(findings: readonly Finding[]): Finding[] {
  return findings.filter(isFailing);
}

function byImportance(a: Finding, b: Finding): number {
  return (a.state === b.state ? 0 : a.state === 'active' ? -1 : 1) || severityRank[a.severity] - severityRank[b.severity] || (a.conn ?? '').localeCompare(b.conn ?? '') || a.id.localeCompare(b.id);
}

function isAcknowledged(finding: Finding, ctx: FinishContext): boolean {
  const conn = ctx.connections.find((c) => c.name === finding.conn);
  return conn?.acknowledgements.some((a) => a.id === finding.id && Date.parse(a.until) > ctx.now.getTime()) ?? false;
}
