import { constants as osConstants } from 'node:os';

// SIGTERM (systemd, docker stop, kill) and SIGINT (Ctrl+C) ask a long-running command to stop.
// The listeners stay for the life of the process and later signals are ignored: proper-lockfile's
// signal-exit re-raises a signal that finds no other listener, which would kill a serve that is draining.

export function waitForShutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const listener = (signal: NodeJS.Signals): void => resolve(signal);
    process.on('SIGTERM', listener);
    process.on('SIGINT', listener);
  });
}

/**
 * Until the returned function is called, SIGINT and SIGTERM run `cleanup` and end the process with
 * 128 + the signal's number, as the signal would have; and an exit that skips the caller's `finally`
 * (a closed pipe: `broker demo | head`) runs it too. `cleanup` must be synchronous.
 */
export function cleanUpOnShutdownSignal(cleanup: () => void): () => void {
  const listener = (signal: NodeJS.Signals): void => {
    cleanup();
    process.exit(128 + (osConstants.signals[signal] ?? 0));
  };
  process.on('SIGTERM', listener);
  process.on('SIGINT', listener);
  process.on('exit', cleanup);
  return () => {
    process.off('SIGTERM', listener);
    process.off('SIGINT', listener);
    process.off('exit', cleanup);
  };
}
