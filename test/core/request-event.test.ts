import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestEvent } from '../../src/core/request-event.js';

describe('requestEvent', () => {
  const url = new URL('https://api.github.com/repos/globex/billing?token=secret-in-query');

  it('keeps host, path without the query, status, the DESIGN §3 headers and GitHub\'s message', () => {
    const event = requestEvent(
      'bot',
      'GET',
      url,
      {
        status: 403,
        durationMs: 12,
        headers: { date: 'Sun, 22 Nov 2026 08:00:00 GMT', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1789725110', 'x-accepted-github-permissions': 'contents=read', server: 'GitHub.com' },
        body: JSON.stringify({ message: 'API rate limit exceeded for installation ID 1.', documentation_url: 'https://docs.github.com/rest' }),
      },
      'abcdefabcdef',
    );
    assert.deepEqual(event, {
      event: 'request',
      conn: 'bot',
      method: 'GET',
      target: 'api.github.com',
      path: '/repos/globex/billing',
      status: 403,
      at_fp: 'abcdefabcdef',
      duration_ms: 12,
      date: 'Sun, 22 Nov 2026 08:00:00 GMT',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': '1789725110',
      'x-accepted-github-permissions': 'contents=read',
      error_description: 'API rate limit exceeded for installation ID 1.',
    });
  });

  it('OAuth-style and Slack-style error fields, even on HTTP 200; nothing from a success body', () => {
    const slack = requestEvent('s', 'POST', new URL('https://slack.com/api/chat.postMessage'), { status: 200, durationMs: 1, headers: {}, body: '{"ok":false,"error":"missing_scope","needed":"chat:write"}' }, 'f');
    assert.equal(slack.error, 'missing_scope');
    const ok = requestEvent('s', 'GET', new URL('https://api.github.com/repos/a/b'), { status: 200, durationMs: 1, headers: {}, body: '{"message":"a field of a repo"}' }, 'f');
    assert.equal(ok.error_description, undefined);
    const html = requestEvent('s', 'GET', new URL('https://api.github.com/x'), { status: 502, durationMs: 1, headers: {}, body: '<html>bad gateway</html>' }, 'f');
    assert.equal(html.error, undefined);
  });
});
