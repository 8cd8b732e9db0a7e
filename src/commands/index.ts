import type { Command } from './command.js';
import { apiCommand } from './api.js';
import { loginCommand } from './login.js';
import { connectCommand } from './connect.js';
import { removeCommand } from './remove.js';
import { statusCommand } from './status.js';
import { doctorCommand } from './doctor.js';
import { demoCommand } from './demo.js';
import { logCommand } from './log.js';
import { tokenCommand } from './token.js';
import { refreshCommand } from './refresh.js';
import { keepaliveCommand } from './keepalive.js';
import { logoutCommand } from './logout.js';

// Every command, in the order `broker --help` lists them. Add one line per command.
export const commands: Command<unknown>[] = [
  connectCommand,
  removeCommand,
  statusCommand,
  doctorCommand,
  demoCommand,
  logCommand,
  tokenCommand,
  refreshCommand,
  keepaliveCommand,
  logoutCommand,
  apiCommand,
  loginCommand,
];
