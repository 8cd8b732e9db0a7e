// SIGTERM (systemd, docker stop, kill) and SIGINT (Ctrl+C) ask a long-running command to stop.
// The listeners stay for the life of the process and later signals are ignored: conf's `atomically`
// (through when-exit) answers the first signal by sending the same signal again, and proper-lockfile's
// signal-exit re-raises one that finds no other listener; either would kill a serve that is draining.

export function waitForShutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const listener = (signal: NodeJS.Signals): void => resolve(signal);
    process.on('SIGTERM', listener);
    process.on('SIGINT', listener);
  });
}
