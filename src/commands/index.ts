import type { Command } from './command.js';

/** A command's name and one-line summary, with its module loaded only when it runs: a command pays only for its own code. */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command<unknown>>;
}

// Every command, in the order `broker --help` lists them.
export const commands: CommandEntry[] = [
  { name: 'status', summary: 'health grid of every connection', load: async () => (await import('./status.js')).statusCommand as Command<unknown> },
  { name: 'doctor', summary: 'diagnose every connection from state and the event log', load: async () => (await import('./doctor.js')).doctorCommand as Command<unknown> },
  { name: 'login', summary: 'log a connection in again (browser, device code or paste); refuses the wrong account', load: async () => (await import('./login.js')).loginCommand as Command<unknown> },
  { name: 'connect', summary: 'create a connection (optionally from an existing token on stdin)', load: async () => (await import('./connect.js')).connectCommand as Command<unknown> },
  { name: 'token', summary: 'print a valid access token (refreshed under the lock when 75% of its life is gone)', load: async () => (await import('./token.js')).tokenCommand as Command<unknown> },
  { name: 'refresh', summary: 'refresh a connection now, under its lock', load: async () => (await import('./refresh.js')).refreshCommand as Command<unknown> },
  { name: 'keepalive', summary: 'refresh connections idle longer than --idle-over (safe from cron)', load: async () => (await import('./keepalive.js')).keepaliveCommand as Command<unknown> },
  { name: 'api', summary: "an authenticated request with a connection's token, logged (like gh api)", load: async () => (await import('./api.js')).apiCommand as Command<unknown> },
  { name: 'serve', summary: 'the agent-facing proxy and token endpoint: agents never hold a token, every call is logged', load: async () => (await import('./serve.js')).serveCommand as Command<unknown> },
  { name: 'agent', summary: 'agent keys for serve: add NAME --conn C[,C…] [--ci] | list | remove NAME', load: async () => (await import('./agent.js')).agentCommand as Command<unknown> },
  { name: 'env', summary: 'what an agent needs to use a connection through serve (base URL, key variable)', load: async () => (await import('./env.js')).envCommand as Command<unknown> },
  { name: 'logout', summary: 'delete a connection\'s tokens, keep the connection', load: async () => (await import('./logout.js')).logoutCommand as Command<unknown> },
  { name: 'remove', summary: 'delete a connection and its secrets', load: async () => (await import('./remove.js')).removeCommand as Command<unknown> },
  { name: 'log', summary: 'read the event log, redacted', load: async () => (await import('./log.js')).logCommand as Command<unknown> },
  { name: 'migrate', summary: 'apply the PostgreSQL schema (BROKER_STORE=postgres); safe from every host at once', load: async () => (await import('./migrate.js')).migrateCommand as Command<unknown> },
  { name: 'store', summary: 'store copy --to postgres|keychain|file: move connections and tokens between stores, no re-login', load: async () => (await import('./store-copy.js')).storeCommand as Command<unknown> },
  { name: 'demo', summary: 'live local providers, the headline failures caused for real, then the doctor', load: async () => (await import('./demo.js')).demoCommand as Command<unknown> },
];
