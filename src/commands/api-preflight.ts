import { BrokerError } from '../core/broker-error.js';
import type { RequestEvent } from '../core/events.js';
import { exitCodes } from '../core/exit-codes.js';
import { missingScope, refusalAnswer, refusalEvent, scopeHintFrom, wrongInstallation, type Refusal, type RefusalAlternatives, type ScopeHint } from '../core/preflight.js';
import type { Connection } from '../core/state-schema.js';
import type { Deps } from './deps.js';

// `broker api` runs the same identity check as `broker serve` (core/preflight.ts) before its request
// leaves. serve remembers what the provider said in memory; a one-shot CLI reads it from the log.

const hintWindowMs = 24 * 60 * 60 * 1000;

/** Throws (after logging the refusal) when the installation cannot see the path's owner. */
export async function refuseOutsideInstallation(deps: Deps, connection: Connection, method: string, path: string, url: URL): Promise<void> {
  const refusal = wrongInstallation(connection, path);
  if (!refusal || refusal.reason !== 'wrong-installation') return;
  const { alternativesForOwner } = await import('../adapters/github-installations.js');
  const alternatives = await alternativesForOwner(connection, refusal.owner, deps.state().list(), {
    privateKey: async () => (await deps.tokens().read(connection.name))?.private_key,
    warn: (message) => deps.io.stderr.write(`broker: ${message}\n`),
  });
  refuse(deps, connection, method, path, url, refusal, alternatives);
}

/** Throws (after logging the refusal) when the provider already answered this token on this route that a scope is missing. */
export async function refuseMissingScope(deps: Deps, connection: Connection, method: string, path: string, url: URL, atFp: string): Promise<void> {
  const refusal = missingScope(await scopeHintFromLog(deps, connection.name, method, url.pathname, atFp));
  if (refusal) refuse(deps, connection, method, path, url, refusal, {});
}

function refuse(deps: Deps, connection: Connection, method: string, path: string, url: URL, refusal: Refusal, alternatives: RefusalAlternatives): never {
  deps.appendEvent(refusalEvent(connection.name, method, url, refusal, alternatives));
  const answer = refusalAnswer(connection, method, path, refusal, alternatives);
  throw new BrokerError(`refused before sending: ${answer.body.message}`, exitCodes.failed, answer.body.fix);
}

/** What the last answer to this token on this route said, from the last 24 h of the log. */
async function scopeHintFromLog(deps: Deps, conn: string, method: string, pathname: string, atFp: string): Promise<ScopeHint | undefined> {
  const { readEvents } = await import('../adapters/event-log-reader.js');
  const until = deps.now();
  const log = await readEvents(deps.paths, { since: new Date(until.getTime() - hintWindowMs), until, conn, match: pathname });
  let hint: ScopeHint | undefined;
  for (const { event: request } of log.events) {
    if (request.event !== 'request' || request.at_fp !== atFp || request.method !== method || request.path !== pathname) continue;
    if (request.outcome !== undefined && request.outcome !== 'refused') continue;
    hint = scopeHintFrom(request.status, scopeHeaders(request), request.ts);
  }
  return hint;
}

function scopeHeaders(request: RequestEvent): Record<string, string | undefined> {
  return {
    'x-accepted-oauth-scopes': request['x-accepted-oauth-scopes'],
    'x-oauth-scopes': request['x-oauth-scopes'],
    'x-accepted-github-permissions': request['x-accepted-github-permissions'],
  };
}
