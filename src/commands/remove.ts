import { usageError } from '../core/broker-error.js';
import { exitCodes } from '../core/exit-codes.js';
import { defineCommand } from './command.js';
import { oneName } from './token.js';

export const removeCommand = defineCommand<{ name: string }>({
  name: 'remove',
  usage: `Usage: broker remove NAME

Deletes the connection from state.json and its token bundle from the token store.
The event log keeps its history.
`,
  options: {},
  parse: (_values, positionals) => ({ name: oneName('remove', positionals) }),
  async run({ name }, deps) {
    const state = deps.state();
    if (!state.get(name)) throw usageError(`no connection named "${name}"`, 'run `broker status` to list connections');
    // Under the connection's refresh lock: a refresh in flight finishes and stores its bundle first,
    // and is then deleted with the rest; a refresh that starts later finds no connection.
    const { acquireRefreshLock } = await import('../adapters/refresh-lock.js');
    const lock = await acquireRefreshLock(deps.paths, name, deps.env);
    let hadSecrets: boolean;
    try {
      hadSecrets = await deps.tokens().delete(name);
      await state.remove(name);
    } finally {
      await lock.release();
    }
    deps.io.stdout.write(`removed ${name}${hadSecrets ? ' and its secrets' : ''}\n`);
    return exitCodes.ok;
  },
});
