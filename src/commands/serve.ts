import { BrokerError, usageError } from '../core/broker-error.js';
import { exitCodes } from '../core/exit-codes.js';
import { stripControl } from '../core/strip-control.js';
import { readServeRuntime, removeServeRuntime, serveIsAlive } from '../adapters/serve/runtime-file.js';
import { isLoopbackHost } from '../core/outbound-policy.js';
import { waitForShutdownSignal } from '../adapters/shutdown-signals.js';
import { defineCommand, type OptionValues } from './command.js';
import { createDeps, type Deps } from './deps.js';

export interface ServeOptions {
  port: number;
  host: string;
  socket?: string;
}

export const defaultServePort = 7998;
/** How long SIGTERM waits for calls in flight (a long event stream) before cutting them. */
const drainTimeoutMs = 25_000;

export const serveCommand = defineCommand<ServeOptions>({
  name: 'serve',
  usage: `Usage: broker serve [--port 7998] [--host 127.0.0.1] [--socket PATH]

Runs the agent-facing proxy and token endpoint (the agent never holds a token):
  http://127.0.0.1:PORT/NAME/<path>   NAME's API (its API base), with the real Authorization injected
  GET http://127.0.0.1:PORT/v1/token/NAME   {"access_token", "expires_at"} for SDKs that must hold one
Every call needs a broker key (\`broker agent add\`) as "Authorization: Bearer brk_…" (or "token brk_…"),
else 401 and nothing is sent upstream. Every call is a \`request\` (or \`token\`) event naming the agent.
Tokens are refreshed under the same lock as the CLI's; a connection whose refresh keeps failing is
answered 503 with the cause and the fix, and retried with backoff.

The first line on stdout is "listening on http://127.0.0.1:PORT". SIGTERM or SIGINT: stop accepting,
let calls in flight finish (up to ${drainTimeoutMs / 1000} s), exit 0.

Options:
  --port N        TCP port on 127.0.0.1 (default ${defaultServePort}; 0 picks a free one, printed on the first line)
  --host H        listen on another interface (warned: anyone who can reach it and holds a key can use the connections)
  --socket PATH   listen on a Unix socket (mode 0600) instead of TCP

Exit codes: 0 stopped by SIGTERM/SIGINT; 1 it could not start (port in use, serve already running for
this home); 2 bad usage.
`,
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    socket: { type: 'string' },
  },
  parse: parseServeOptions,
  // serve opens a store of its own (its events name each call's agent), and keeps it loaded.
  opensStore: false,
  async run(opts, cliDeps) {
    // Events name the agent of each call, not the environment serve was started in.
    const deps = createDeps({ io: cliDeps.io, env: cliDeps.env, home: cliDeps.paths.root, mode: cliDeps.mode, now: cliDeps.now, eventContext: {}, keepLogOpen: true });
    await deps.store.load();
    try {
      return await serveUntilSignalled(opts, deps);
    } finally {
      await deps.store.close();
    }
  },
});

/** serve's life on a loaded store: start, announce, wait for a signal, drain. */
async function serveUntilSignalled(opts: ServeOptions, deps: Deps): Promise<number> {
  const running = readServeRuntime(deps.paths);
  if (running && running.pid !== process.pid && serveIsAlive(running)) {
    throw new BrokerError(`broker serve already runs for this home (pid ${running.pid}, ${running.url}, since ${running.started})`, exitCodes.failed, `stop it first (kill ${running.pid}), or give this one another --home`);
  }
  deps.state(); // a corrupt state.json stops serve here, with the path and the parse error
  if (!opts.socket && !isLoopbackHost(opts.host.includes(':') ? `[${opts.host}]` : opts.host)) {
    deps.io.stderr.write(`broker serve: warning: listening on ${opts.host}, not only this machine: anyone who can reach it and holds a broker key can use its connections\n`);
  }
  const { startServe } = await import('./serve/server.js');
  let serve;
  try {
    serve = await startServe({ port: opts.port, host: opts.host, socket: opts.socket }, deps);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') throw new BrokerError(`${opts.socket ?? `${opts.host}:${opts.port}`} is already in use`, exitCodes.failed, 'pick another --port (0 picks a free one)');
    if (e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL') throw new BrokerError(`cannot listen on ${opts.socket ?? `${opts.host}:${opts.port}`}: ${e.code}`, exitCodes.failed);
    throw err;
  }
  const stopped = waitForShutdownSignal();
  deps.io.stdout.write(`listening on ${serve.url}\n`);
  const agents = Object.keys(deps.state().agents()).length;
  deps.io.stderr.write(
    agents === 0
      ? 'broker serve: no agent keys yet: every call will be answered 401. Make one: broker agent add NAME --conn CONNECTION\n'
      : `broker serve: ${agents} agent key${agents === 1 ? '' : 's'}; an agent's base URL: broker env CONNECTION --agent NAME\n`,
  );
  const signal = await stopped;
  deps.io.stderr.write(`broker serve: ${signal}: no new calls; letting calls in flight finish (up to ${drainTimeoutMs / 1000} s)\n`);
  await serve.drain(drainTimeoutMs);
  removeServeRuntime(deps.paths, process.pid);
  deps.io.stderr.write(`broker serve: stopped${serve.runtime.lastError ? ` (last error: ${stripControl(serve.runtime.lastError.message)})` : ''}\n`);
  return exitCodes.ok;
}

function parseServeOptions(values: OptionValues, positionals: string[]): ServeOptions {
  if (positionals.length > 0) throw usageError('serve takes no arguments', 'broker serve [--port 7998] [--socket PATH]');
  const port = values.port === undefined ? defaultServePort : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError(`--port ${String(values.port)} is not a port`, 'a number from 0 to 65535 (0 picks a free one)');
  const host = (values.host as string | undefined) ?? '127.0.0.1';
  if (host === '') throw usageError('--host needs an address');
  const socket = values.socket as string | undefined;
  if (socket !== undefined && (values.port !== undefined || values.host !== undefined)) throw usageError('--socket listens on a Unix socket instead of TCP: leave out --port and --host');
  return { port, host, socket };
}
