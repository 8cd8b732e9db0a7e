import { randomBytes } from 'node:crypto';
import { usageError } from '../core/broker-error.js';
import { agentKeyFp, agentKeyFrom, agentKeyHash } from '../core/agent-keys.js';
import { exitCodes } from '../core/exit-codes.js';
import { AgentSchema, type Agent } from '../core/state-schema.js';
import { stripControl } from '../core/strip-control.js';
import { defineCommand, type OptionValues } from './command.js';
import { splitList } from './connect.js';
import type { Deps } from './deps.js';

export type AgentOptions =
  | { action: 'add'; name: string; connections: string[]; ci: boolean; json: boolean }
  | { action: 'list'; json: boolean }
  | { action: 'remove'; name: string; json: boolean };

export const agentCommand = defineCommand<AgentOptions>({
  name: 'agent',
  usage: `Usage: broker agent add NAME --conn C[,C…] [--ci] [--json]
       broker agent list [--json]
       broker agent remove NAME

Agent keys for \`broker serve\`. \`add\` prints the key (brk_…) on stdout, once: state.json keeps only its
sha256. The key lets its agent use the listed connections through serve, and names the agent on every
event. --ci marks a key for CI: its events carry ci: true, and serve does not hand personal
connections' tokens to it (GET /v1/token). A running serve picks up changes on its next call.

Exit codes: 0 done; 2 bad usage, an unknown connection or agent, or an agent that already exists.
`,
  options: {
    conn: { type: 'string' },
    ci: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  parse: parseAgentOptions,
  async run(opts, deps) {
    if (opts.action === 'add') return addAgent(opts, deps);
    if (opts.action === 'remove') return removeAgent(opts.name, deps);
    return listAgents(opts.json, deps);
  },
});

async function addAgent(opts: Extract<AgentOptions, { action: 'add' }>, deps: Deps): Promise<number> {
  const state = deps.state();
  const unknown = opts.connections.filter((c) => !state.get(c));
  if (unknown.length > 0) throw usageError(`no connection named ${unknown.map((c) => `"${c}"`).join(', ')}`, 'run `broker status` to list connections');
  const key = agentKeyFrom(randomBytes(32));
  const agent: Agent = AgentSchema.parse({ name: opts.name, keyHash: agentKeyHash(key), connections: opts.connections, ci: opts.ci, createdAt: deps.now().toISOString() });
  let existed = false;
  await state.updateAgents((agents) => {
    existed = agents[opts.name] !== undefined;
    return existed ? agents : { ...agents, [opts.name]: agent };
  });
  if (existed) throw usageError(`an agent named "${opts.name}" already exists`, `remove it first (its key stops working): broker agent remove ${opts.name}`);
  if (opts.json) {
    deps.io.stdout.write(`${JSON.stringify({ agent: describe(agent), key }, null, 2)}\n`);
  } else {
    deps.io.stdout.write(`${key}\n`);
  }
  const personal = opts.connections.filter((c) => state.get(c)?.kind === 'personal');
  deps.io.stderr.write(
    [
      `agent ${opts.name}: key fp ${agentKeyFp(agent)}, may use ${opts.connections.join(', ')}${opts.ci ? ' (CI)' : ''}.`,
      'The key is shown only now: store it where the agent reads it (e.g. BROKER_KEY). Only its hash is kept.',
      ...(opts.ci && personal.length > 0 ? [`${personal.join(', ')} ${personal.length === 1 ? 'is' : 'are'} personal: serve proxies calls for this CI key but will not hand out ${personal.length === 1 ? 'its token' : 'their tokens'}.`] : []),
      `Base URL for the agent: broker env ${opts.connections[0]} --agent ${opts.name}`,
    ].join('\n') + '\n',
  );
  return exitCodes.ok;
}

async function removeAgent(name: string, deps: Deps): Promise<number> {
  let existed = false;
  await deps.state().updateAgents((agents) => {
    existed = agents[name] !== undefined;
    const rest = { ...agents };
    delete rest[name];
    return rest;
  });
  if (!existed) throw usageError(`no agent named "${name}"`, 'broker agent list');
  deps.io.stderr.write(`agent ${name} removed: its key no longer works (a running serve refuses it on the next call)\n`);
  return exitCodes.ok;
}

function listAgents(json: boolean, deps: Deps): number {
  const agents = Object.values(deps.state().agents()).sort((a, b) => a.name.localeCompare(b.name));
  if (json) {
    deps.io.stdout.write(`${JSON.stringify({ agents: agents.map(describe) }, null, 2)}\n`);
    return exitCodes.ok;
  }
  if (agents.length === 0) {
    deps.io.stdout.write('no agents: make one with broker agent add NAME --conn CONNECTION\n');
    return exitCodes.ok;
  }
  const rows = [['AGENT', 'CONNECTIONS', 'CI', 'KEY FP', 'CREATED'], ...agents.map((a) => [a.name, a.connections.join(','), a.ci ? 'yes' : 'no', agentKeyFp(a), a.createdAt.slice(0, 19).replace('T', ' ')])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const row of rows) deps.io.stdout.write(`${stripControl(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd())}\n`);
  return exitCodes.ok;
}

function describe(agent: Agent) {
  return { name: agent.name, connections: agent.connections, ci: agent.ci, keyFp: agentKeyFp(agent), createdAt: agent.createdAt };
}

function parseAgentOptions(values: OptionValues, positionals: string[]): AgentOptions {
  const [action, name, ...extra] = positionals;
  const json = values.json === true;
  if (action === 'list') {
    if (name !== undefined || values.conn !== undefined || values.ci) throw usageError('agent list takes no arguments');
    return { action, json };
  }
  if (action === 'remove') {
    if (!name || extra.length > 0 || values.conn !== undefined || values.ci) throw usageError('agent remove takes exactly one NAME', 'broker agent remove NAME');
    return { action, name, json };
  }
  if (action === 'add') {
    if (!name || extra.length > 0) throw usageError('agent add takes exactly one NAME', 'broker agent add NAME --conn C[,C…] [--ci]');
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) throw usageError(`"${name}" is not a valid agent name`, 'use letters, digits, ".", "_" and "-" (max 64)');
    const connections = [...new Set(splitList(values.conn))];
    if (connections.length === 0) throw usageError('agent add needs --conn C[,C…]: the connections the key may use');
    return { action, name, connections, ci: values.ci === true, json };
  }
  throw usageError(action === undefined ? 'agent needs add, list or remove' : `"${action}" is not an agent action`, 'broker agent add NAME --conn C | broker agent list | broker agent remove NAME');
}
