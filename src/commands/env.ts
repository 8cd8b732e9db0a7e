import { usageError } from '../core/broker-error.js';
import { agentKeyFp } from '../core/agent-keys.js';
import { exitCodes } from '../core/exit-codes.js';
import { readServeRuntime, serveIsAlive } from '../adapters/serve/runtime-file.js';
import { defineCommand, type OptionValues } from './command.js';
import { defaultServePort } from './serve.js';

export interface EnvOptions {
  name: string;
  agent: string;
  port?: number;
  json: boolean;
}

/** The variable an agent keeps its broker key in; `broker env` names it, never fills it (only the hash is kept). */
export const agentKeyVariable = 'BROKER_KEY';

export const envCommand = defineCommand<EnvOptions>({
  name: 'env',
  usage: `Usage: broker env NAME --agent A [--port N] [--json]

Prints what agent A needs to use connection NAME through \`broker serve\`, as shell lines
(eval "$(broker env NAME --agent A)"): BROKER_URL (NAME's API through serve) and BROKER_TOKEN_URL (the
token endpoint), and the variable that holds A's key (BROKER_KEY: the key \`broker agent add\` printed
once). It never touches HTTPS_PROXY, HTTP_PROXY or NO_PROXY: the broker is not a proxy.
The URL is the running serve's (with BROKER_SOCKET when it listens on a Unix socket); when none
runs, 127.0.0.1 and --port (default ${defaultServePort}).

Exit codes: 0 printed; 2 bad usage, an unknown connection or agent, or an agent not granted NAME.
`,
  options: {
    agent: { type: 'string' },
    port: { type: 'string' },
    json: { type: 'boolean' },
  },
  parse(values: OptionValues, positionals: string[]): EnvOptions {
    const [name, ...extra] = positionals;
    if (!name || extra.length > 0) throw usageError('env takes exactly one NAME', 'broker env NAME --agent A');
    const agent = values.agent as string | undefined;
    if (!agent) throw usageError('env needs --agent A: the agent whose key will be used', 'broker agent list');
    const port = values.port === undefined ? undefined : Number(values.port);
    if (port !== undefined && (!Number.isInteger(port) || port <= 0 || port > 65535)) throw usageError(`--port ${String(values.port)} is not a port`);
    return { name, agent, port, json: values.json === true };
  },
  async run(opts, deps) {
    const state = deps.state();
    const connection = state.get(opts.name);
    if (!connection) throw usageError(`no connection named "${opts.name}"`, 'run `broker status` to list connections');
    const agent = state.agents()[opts.agent];
    if (!agent) throw usageError(`no agent named "${opts.agent}"`, `make one: broker agent add ${opts.agent} --conn ${opts.name}`);
    if (!agent.connections.includes(opts.name)) {
      throw usageError(`agent "${opts.agent}" may not use "${opts.name}" (it may use ${agent.connections.join(', ')})`, `broker agent remove ${opts.agent} && broker agent add ${opts.agent} --conn ${[...agent.connections, opts.name].join(',')}`);
    }
    const runtime = readServeRuntime(deps.paths);
    const running = runtime !== null && serveIsAlive(runtime);
    // A serve on a Unix socket is reached with any host name over that socket (curl --unix-socket PATH).
    const socket = running && runtime.url.startsWith('unix:') ? runtime.url.slice('unix:'.length) : undefined;
    const serveUrl = socket ? 'http://localhost' : running ? runtime.url : `http://127.0.0.1:${opts.port ?? defaultServePort}`;
    const baseUrl = `${serveUrl}/${opts.name}`;
    // A person's token is not handed to CI (serve answers 403), so a CI agent gets only the proxy.
    const tokenUrl = agent.ci && connection.kind === 'personal' ? null : `${serveUrl}/v1/token/${opts.name}`;
    if (!running) deps.io.stderr.write(`broker: serve is not running for this home; start it: broker serve${opts.port ? ` --port ${opts.port}` : ''}\n`);
    if (opts.json) {
      deps.io.stdout.write(`${JSON.stringify({ conn: opts.name, agent: opts.agent, baseUrl, tokenUrl, keyVariable: agentKeyVariable, keyFp: agentKeyFp(agent), socket: socket ?? null, serve: { running, url: runtime && running ? runtime.url : serveUrl } }, null, 2)}\n`);
      return exitCodes.ok;
    }
    const lines = [
      ...(socket ? [`export BROKER_SOCKET=${socket}`, '# serve listens on that Unix socket: send the calls over it (curl --unix-socket "$BROKER_SOCKET" "$BROKER_URL/…")'] : []),
      `export BROKER_URL=${baseUrl}`,
      ...(tokenUrl ? [`export BROKER_TOKEN_URL=${tokenUrl}`] : [`# no BROKER_TOKEN_URL: "${opts.name}" is personal and "${opts.agent}" is a CI key, so serve only proxies its calls`]),
      `# ${agentKeyVariable}: the brk_… key \`broker agent add ${opts.agent}\` printed once (key fp ${agentKeyFp(agent)}); send it as "Authorization: Bearer $${agentKeyVariable}"`,
      '# HTTPS_PROXY, HTTP_PROXY and NO_PROXY stay as they are: the broker is not a proxy',
    ];
    const httpProxy = deps.env.HTTP_PROXY ?? deps.env.http_proxy;
    const noProxy = `${deps.env.NO_PROXY ?? ''},${deps.env.no_proxy ?? ''}`;
    if (httpProxy && !socket && !/(^|,)\s*(127\.0\.0\.1|localhost|\*)\s*(,|$)/.test(noProxy)) {
      lines.push('# note: HTTP_PROXY is set and NO_PROXY does not list 127.0.0.1: a client that honours HTTP_PROXY for http:// URLs would send these calls to that proxy; add 127.0.0.1 to the agent\'s NO_PROXY');
    }
    deps.io.stdout.write(`${lines.join('\n')}\n`);
    return exitCodes.ok;
  },
});
