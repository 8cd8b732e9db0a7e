import type { ParseArgsConfig } from 'node:util';
import type { Deps } from './deps.js';

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

/**
 * A command is an options table, a parse step that turns argv values into typed options (throwing
 * usageError on bad input), and run(opts, deps) → exit code. Only cli.ts touches the process.
 */
export interface Command<Opts = unknown> {
  name: string;
  /** Usage lines and option help, shown by --help. */
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  parse(values: OptionValues, positionals: string[]): Opts;
  run(opts: Opts, deps: Deps): Promise<number>;
  /** false: main does not load the store before run (the command opens what it needs itself). */
  opensStore?: false;
}

export function defineCommand<Opts>(command: Command<Opts>): Command<Opts> {
  return command;
}
