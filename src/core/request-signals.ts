import type { RequestEvent } from './events.js';
import { classifyProviderError } from './providers/classify-provider-error.js';
import type { ProviderId } from './state-schema.js';

// What an API answer says beyond its status, shared by the request rules.

/** 403/429 with a rate-limit signal (or a provider's rate-limit word): not an auth failure. */
export function isRateLimited(provider: ProviderId, request: RequestEvent): boolean {
  if (request.status < 400) return false;
  if (request.status === 429) return true;
  if (request['x-ratelimit-remaining'] === '0' || request['retry-after'] !== undefined) return true;
  // GitHub explains in `message`, which the request event keeps as error_description without an error word.
  return saysCause(provider, request, 'rate_limited');
}

/** A success the API really meant: 2xx/3xx and no error word in the body (Slack answers errors with 200). */
export function isSuccess(request: RequestEvent): boolean {
  return request.outcome !== 'refused' && request.status < 400 && request.error === undefined;
}

/** The provider's own words (error, or the message kept as error_description) name this cause. */
export function saysCause(provider: ProviderId, request: RequestEvent, cause: string): boolean {
  if (request.error === undefined && request.error_description === undefined) return false;
  return classifyProviderError(provider, { error: request.error, error_description: request.error_description }).cause === cause;
}

export function splitScopes(header: string | undefined): string[] {
  return (header ?? '').split(/[\s,]+/).filter(Boolean);
}

/** The repository or organisation owner a GitHub API path is about, e.g. /repos/acme/infra → acme. */
export function githubOwnerOf(path: string): string | undefined {
  return /^\/(?:repos|orgs|users)\/([^/?#]+)/.exec(path)?.[1];
}

/** The repository a GitHub API path is about, e.g. /repos/acme/infra/pulls → acme/infra. */
export function githubRepoOf(path: string): string | undefined {
  const m = /^\/repos\/([^/?#]+)\/([^/?#]+)/.exec(path);
  return m ? `${m[1]}/${m[2]}` : undefined;
}
