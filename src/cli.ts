import { exitCodes } from './core/exit-codes.js';
import { main } from './main.js';

// The only module that touches the process.

// A closed pipe (`broker log | head`) is a normal way for a reader to stop.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(exitCodes.ok);
  throw err;
});

process.exitCode = await main(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }, process.env);
