import { exitCodes, type ExitCode } from './exit-codes.js';

/**
 * An error the person at the terminal can act on: a message that names the problem, a hint that
 * names the fix, and the exit code. Never carries a secret, only fingerprints.
 */
export class BrokerError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = exitCodes.failed,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'BrokerError';
  }
}

export function usageError(message: string, hint?: string): BrokerError {
  return new BrokerError(message, exitCodes.usage, hint);
}

/** The one wording of an unknown connection name, wherever a command meets one. */
export function noSuchConnection(name: string): BrokerError {
  return usageError(`no connection named "${name}"`, 'run `broker status` to list connections');
}
