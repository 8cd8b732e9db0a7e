import type { Connection, ProviderId } from './state-schema.js';

// Where `broker api NAME PATH` sends PATH. oidc has no API of its own: paths are taken on the issuer.
const publicApiBases: Record<Exclude<ProviderId, 'oidc'>, string> = {
  github: 'https://api.github.com',
  'github-app': 'https://api.github.com',
  google: 'https://www.googleapis.com',
  microsoft: 'https://graph.microsoft.com',
  slack: 'https://slack.com/api',
  linear: 'https://api.linear.app',
  atlassian: 'https://api.atlassian.com',
};

/** The connection's own apiBaseUrl (GitHub Enterprise, a local stand-in), else the provider's public API. */
export function apiBaseOf(connection: Connection): string | undefined {
  const base = connection.apiBaseUrl ?? (connection.provider === 'oidc' ? connection.issuer : publicApiBases[connection.provider]);
  return base?.replace(/\/+$/, '');
}

/** PATH on the base, keeping the base's own path prefix (https://slack.com/api + /auth.test). */
export function apiUrl(base: string, path: string): URL {
  const url = new URL(base);
  const [pathname = '', search] = path.split(/\?(.*)/s, 2);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${pathname.replace(/^\/+/, '')}`;
  url.search = search ? `?${search}` : '';
  return url;
}
