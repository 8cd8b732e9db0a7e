import type { RequestEvent } from './events.js';
import { classifyLogged } from './refresh-failures.js';
import type { Connection } from './state-schema.js';

// What an API answer says beyond its status, shared by the request rules.

/** 403/429 with a rate-limit signal (or a provider's rate-limit word): not an auth failure. */
export function isRateLimited(conn: Connection, request: RequestEvent): boolean {
  if (request.status < 400) return false;
  if (request.status === 429) return true;
  if (request['x-ratelimit-remaining'] === '0' || request['retry-after'] !== undefined) return true;
  // GitHub explains in `message`, which the request event keeps as error_description without an error word.
  return (request.error ?? request.error_description) !== undefined && classifyLogged(conn, { error: request.error, error_description: request.error_description }).cause === 'rate_limited';
}

export function splitScopes(header: string | undefined): string[] {
  return (header ?? '').split(/[\s,]+/).filter(Boolean);
}

/** The repository or organisation owner a GitHub API path is about, e.g. /repos/acme/infra → acme. */
export function githubOwnerOf(path: string): string | undefined {
  return /^\/(?:repos|orgs|users)\/([^/?#]+)/.exec(path)?.[1];
}
