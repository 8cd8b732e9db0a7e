import { loggedResponseHeaders, type RequestEvent } from './events.js';

// The `request` event of one answer, for `broker api` and `broker serve` alike.

export type NewRequestEvent = Omit<RequestEvent, 'ts' | 'pid' | 'host'>;

/** What the `request` event needs of an answer; the body only for the provider's error words. */
export interface LoggedAnswer {
  status: number;
  headers: Readonly<Record<string, string | undefined>>;
  body: string;
  durationMs: number;
  /** Where the answer came from, after same-origin redirects. */
  finalUrl: URL;
  redirects?: number;
  /** A redirect to another origin that was not followed. */
  refusedRedirect?: URL;
}

/** The `request` event for one answer: where it finally came from, the headers that matter and the provider's error words, never the body. */
export function requestEvent(conn: string, method: string, answer: LoggedAnswer, atFp: string): NewRequestEvent {
  const url = answer.finalUrl;
  const event: NewRequestEvent = {
    event: 'request',
    conn,
    method,
    target: url.host,
    path: url.pathname,
    status: answer.status,
    at_fp: atFp,
    duration_ms: answer.durationMs,
  };
  if (answer.redirects) event.redirects = answer.redirects;
  if (answer.refusedRedirect) event.redirect_refused = answer.refusedRedirect.host;
  if (answer.headers.date) event.date = answer.headers.date;
  for (const name of loggedResponseHeaders) {
    const value = answer.headers[name];
    if (value !== undefined) event[name] = value;
  }
  const body = parseJson(answer.body);
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    if (typeof b.error === 'string') event.error = b.error;
    if (typeof b.error_description === 'string') event.error_description = b.error_description;
    // GitHub and most REST APIs explain a failure in `message` ("Not Found", "API rate limit exceeded for …").
    else if (answer.status >= 400 && typeof b.message === 'string') event.error_description = b.message;
  }
  return event;
}

export function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
