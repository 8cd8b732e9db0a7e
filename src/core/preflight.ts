import type { NewRequestEvent } from './request-event.js';
import { splitScopes } from './request-signals.js';
import type { Connection } from './state-schema.js';

// "Identity before the call" (docs/design.md §13): a request the credential cannot serve is refused by the
// broker before it leaves, with a reason and a fix, and logged as a `request` with outcome "refused".
// Shared by `broker serve` and `broker api`.

/** What the provider said about a route for one token: its 403 named what the route accepts. */
export interface ScopeHint {
  /** Scopes the route accepts (x-accepted-oauth-scopes), none of which the token has. */
  accepted: string[];
  /** Scopes the token has (x-oauth-scopes). */
  granted: string[];
  /** GitHub App permission the route needs (x-accepted-github-permissions), e.g. "contents=write". */
  permission?: string;
  /** When the provider said so (ISO). */
  seenAt: string;
}

export type Refusal =
  | { reason: 'wrong-installation'; owner: string; installation: { id: number; account: string } }
  | { reason: 'missing-scope'; hint: ScopeHint };

/** The owner a GitHub REST path is about when it names a repository: /repos/acme/infra/… → acme. */
export function repoOwnerOf(path: string): string | undefined {
  return /^\/repos\/([^/?#]+)\/[^/?#]+/.exec(path)?.[1];
}

/**
 * A GitHub App installation sees the repositories of one account: a /repos/{owner}/… path of another
 * owner would be answered 404 (provider facts 5). `path` is relative to the connection's API base.
 */
export function wrongInstallation(connection: Connection, path: string): Refusal | undefined {
  const installation = connection.installation;
  if (connection.provider !== 'github-app' || !installation) return undefined;
  const owner = repoOwnerOf(path);
  if (owner === undefined || owner.toLowerCase() === installation.account.toLowerCase()) return undefined;
  return { reason: 'wrong-installation', owner, installation };
}

/** A refusal from what the provider answered this same token on this same route before. */
export function missingScope(hint: ScopeHint | undefined): Refusal | undefined {
  return hint ? { reason: 'missing-scope', hint } : undefined;
}

/**
 * What a 403 says in advance about the next call of the same route with the same token: the scopes
 * it accepts (none of which the token has), or the App permission it needs. Undefined otherwise.
 */
export function scopeHintFrom(status: number, headers: Readonly<Record<string, string | undefined>>, seenAt: string): ScopeHint | undefined {
  if (status !== 403) return undefined;
  const accepted = splitScopes(headers['x-accepted-oauth-scopes']);
  const granted = splitScopes(headers['x-oauth-scopes']);
  if (accepted.length > 0 && !accepted.some((s) => granted.includes(s))) return { accepted, granted, seenAt };
  const permission = headers['x-accepted-github-permissions'];
  // GitHub sends the permission header on every answer of the route; only with a 403 is it missing.
  if (permission !== undefined && permission !== '') return { accepted: [], granted, permission, seenAt };
  return undefined;
}

/** Who could serve the refused request instead (wrong-installation), when the broker knows. */
export interface RefusalAlternatives {
  /** A connection of this home whose installation covers the owner. */
  connection?: string;
  /** The installation of the same App that covers the owner (GET /app/installations). */
  installation?: { id: number; account: string };
}

export interface RefusalAnswer {
  status: 403;
  body: { error: string; message: string; fix: string; refused_by: 'broker' } & Record<string, unknown>;
}

/** The JSON answer for a refusal: why, and what to do. */
export function refusalAnswer(connection: Connection, method: string, path: string, refusal: Refusal, alternatives: RefusalAlternatives = {}): RefusalAnswer {
  if (refusal.reason === 'wrong-installation') {
    const { owner, installation } = refusal;
    const repo = /^\/repos\/([^/?#]+\/[^/?#]+)/.exec(path)?.[1] ?? owner;
    const app = connection.appId !== undefined ? `GitHub App ${connection.appId}` : 'the GitHub App';
    let fix: string;
    if (alternatives.connection) {
      fix = `use connection "${alternatives.connection}", whose installation covers ${owner}, for this request`;
    } else if (alternatives.installation) {
      const i = alternatives.installation;
      fix = `installation ${i.id} of ${app} covers ${i.account}: connect it (broker connect ${i.account}-bot --provider github-app --app-id ${connection.appId ?? 'N'} --installation ${i.id} --installation-account ${i.account} --private-key-file APP.pem${connection.apiBaseUrl ? ` --api-base-url ${connection.apiBaseUrl}` : ''}) and send this request through that connection`;
    } else {
      fix = `${app} has no installation on ${owner} that the broker can see: install it on ${owner}, then connect that installation (broker connect NAME --provider github-app --app-id ${connection.appId ?? 'N'} --installation N --installation-account ${owner} --private-key-file APP.pem)`;
    }
    return {
      status: 403,
      body: {
        error: 'wrong_installation',
        message: `"${connection.name}" is installation ${installation.id} of ${app} on ${installation.account}; ${repo} belongs to ${owner}, which that installation cannot see (GitHub would answer 404 Not Found). The request was not sent.`,
        fix,
        refused_by: 'broker',
        installation,
        covering_installation: alternatives.installation ?? null,
        covering_connection: alternatives.connection ?? null,
      },
    };
  }
  const { hint } = refusal;
  const need = hint.permission !== undefined ? `the App permission ${hint.permission}` : `scope ${hint.accepted.join(' or ')}`;
  const has = hint.permission !== undefined ? 'the installation does not grant it' : `the token has ${hint.granted.join(', ') || 'no scopes'}`;
  const fix =
    hint.permission !== undefined
      ? `grant ${hint.permission} in the App's settings and have the installation's owner accept it, then: broker refresh ${connection.name}`
      : `log in again with the missing scope: broker login ${connection.name} --scopes ${[...new Set([...connection.scopes, hint.accepted[0] ?? ''])].filter(Boolean).join(',')}`;
  return {
    status: 403,
    body: {
      error: 'insufficient_scope',
      message: `${method} ${path} needs ${need}; ${has} (the provider said so at ${hint.seenAt} for this same token). The request was not sent.`,
      fix,
      refused_by: 'broker',
      accepted_scopes: hint.accepted,
      granted_scopes: hint.granted,
      ...(hint.permission !== undefined ? { permission: hint.permission } : {}),
    },
  };
}

/**
 * The `request` event of a refusal. Its status is the broker's own answer (403) and it carries no
 * error words of a provider, so rules that read provider errors do not mistake it for one; the
 * scope headers the provider sent before are kept, so insufficient-scope can name what is missing.
 */
export function refusalEvent(conn: string, method: string, url: URL, refusal: Refusal, alternatives: RefusalAlternatives = {}): NewRequestEvent {
  const event: NewRequestEvent = { event: 'request', conn, method, target: url.host, path: url.pathname, status: 403, duration_ms: 0, outcome: 'refused', reason: refusal.reason };
  if (refusal.reason === 'wrong-installation') {
    if (alternatives.installation) event.covering_installation = alternatives.installation.id;
  } else {
    const { hint } = refusal;
    if (hint.accepted.length > 0) event['x-accepted-oauth-scopes'] = hint.accepted.join(', ');
    event['x-oauth-scopes'] = hint.granted.join(', ');
    if (hint.permission !== undefined) event['x-accepted-github-permissions'] = hint.permission;
  }
  return event;
}
