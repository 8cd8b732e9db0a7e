import { usageError } from '../core/broker-error.js';
import { exitCodes } from '../core/exit-codes.js';
import { defineCommand } from './command.js';

export const removeCommand = defineCommand<{ name: string }>({
  name: 'remove',
  usage: `Usage: broker remove NAME

Deletes the connection from state.json and its token bundle from the token store.
The event log keeps its history.
`,
  options: {},
  parse(_values, positionals) {
    const [name, ...extra] = positionals;
    if (!name || extra.length > 0) throw usageError('remove takes exactly one NAME', 'broker remove NAME');
    return { name };
  },
  async run({ name }, deps) {
    const state = deps.state();
    if (!state.get(name)) throw usageError(`no connection named "${name}"`, 'run `broker status` to list connections');
    const hadSecrets = await deps.tokens().delete(name);
    await state.remove(name);
    deps.io.stdout.write(`removed ${name}${hadSecrets ? ' and its secrets' : ''}\n`);
    return exitCodes.ok;
  },
});
