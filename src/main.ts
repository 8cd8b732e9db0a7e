import { parseArgs } from 'node:util';
import { BrokerError } from './core/broker-error.js';
import { exitCodes } from './core/exit-codes.js';
import { stripControl } from './core/strip-control.js';
import { closest } from './core/suggest.js';
import { resolveHome } from './adapters/home.js';
import { commands } from './commands/index.js';
import { createDeps, decideMode, type Io } from './commands/deps.js';
import type { OptionValues } from './commands/command.js';

// argv in, exit code out; the process itself is touched only by cli.ts.

const globalOptions = {
  help: { type: 'boolean', short: 'h' },
  home: { type: 'string' },
} as const;

export function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'broker: a local credential broker for AI agents, and the on-call tool that diagnoses it.',
    '',
    'Usage: broker COMMAND [options]     broker COMMAND --help for its options',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Global options: --home DIR (or BROKER_HOME) holds state, logs and locks.',
    'Exit codes: 0 healthy/done, 1 findings or failure, 2 bad usage or input, 3 login needed.',
  ].join('\n');
}

export async function main(argv: string[], io: Io, env: Readonly<Record<string, string | undefined>>): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${overview()}\n`);
    return name === undefined ? exitCodes.usage : exitCodes.ok;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    const near = closest(name, commands.map((c) => c.name));
    io.stderr.write(`broker: unknown command "${stripControl(name)}"${near ? ` (did you mean \`broker ${near}\`?)` : ''}; \`broker --help\` lists them\n`);
    return exitCodes.usage;
  }
  try {
    const command = await entry.load();
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: { ...command.options, ...globalOptions }, allowPositionals: true, strict: true });
    } catch (err) {
      throw argumentError(name, err, Object.keys({ ...command.options, ...globalOptions }));
    }
    if (parsed.values.help) {
      io.stdout.write(`${command.usage.trimEnd()}\n`);
      return exitCodes.ok;
    }
    const opts = command.parse(parsed.values, parsed.positionals);
    const mode = decideMode((parsed.values as OptionValues).json === true, io);
    const deps = createDeps({ io, env, home: resolveHome(env, parsed.values.home as string | undefined), mode });
    try {
      // Commands read connections synchronously; a database store reads them here, once.
      if (command.opensStore !== false) await deps.store.load();
      return await command.run(opts, deps);
    } finally {
      // Events still on their way to a database are waited for before the exit code is returned.
      await deps.store.close();
    }
  } catch (err) {
    return reportError(err, io, env);
  }
}

/** parseArgs' error as one line: the unknown option and the nearest known one, or what it said. */
function argumentError(command: string, err: unknown, known: string[]): BrokerError {
  const error = err as { code?: string; message?: string };
  const unknown = error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /'(-[^']*)'/.exec(error.message ?? '')?.[1] : undefined;
  if (unknown !== undefined) {
    const near = closest(unknown.replace(/^-+/, ''), known);
    return new BrokerError(`${command}: unknown option ${unknown}${near ? ` (did you mean --${near}?)` : `; see broker ${command} --help`}`, exitCodes.usage);
  }
  const message = (error.message ?? String(err)).split('. ')[0];
  return new BrokerError(`${command}: ${message}`, exitCodes.usage, `see: broker ${command} --help`);
}

function reportError(err: unknown, io: Io, env: Readonly<Record<string, string | undefined>>): number {
  if (err instanceof BrokerError) {
    io.stderr.write(`broker: ${stripControl(err.message)}\n${err.hint ? `  fix: ${stripControl(err.hint)}\n` : ''}`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.stderr.write(`broker: unexpected error: ${stripControl(message)}\n  set BROKER_DEBUG=1 for the stack trace\n`);
  if (env.BROKER_DEBUG && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
  return exitCodes.failed;
}
