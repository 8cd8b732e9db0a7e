import type { Command } from './command.js';
import { connectCommand } from './connect.js';
import { removeCommand } from './remove.js';
import { logCommand } from './log.js';

// Every command, in the order `broker --help` lists them. Add one line per command.
export const commands: Command<unknown>[] = [
  connectCommand,
  removeCommand,
  logCommand,
];
