import { formatDistanceStrict } from 'date-fns';
import type { LoginStep } from '../core/login-progress.js';
import { stripControl } from '../core/strip-control.js';

/** The piped form of `broker login`: one plain line per step, for stderr. */
export function formatLoginStep(step: LoginStep, now: Date): string {
  switch (step.kind) {
    case 'start':
      return `logging in ${step.conn} (${step.method}${step.scopes.length > 0 ? `, scopes ${step.scopes.join(' ')}` : ''})${step.expected ? ` as ${step.expected}` : ''}`;
    case 'open-url':
      return `${step.browserOpened ? 'opened your browser; if it did not open, visit' : 'open this URL in a browser'}:\n  ${step.url}\nwaiting up to ${step.timeoutSec} s for the sign-in to come back to this machine…`;
    case 'device-code':
      return [
        `visit ${step.verificationUri} and enter the code ${step.userCode}`,
        ...(step.verificationUriComplete ? [`  or open ${step.verificationUriComplete}`] : []),
        `the code expires in ${formatDistanceStrict(new Date(step.expiresAt), now)}; waiting for approval…`,
      ].join('\n');
    case 'tokens':
      return 'tokens received; checking who this is';
    case 'identity':
      return step.ok ? `signed in as ${stripControl(step.identity)}` : `signed in as ${stripControl(step.identity)}, expected ${step.expected}`;
    case 'stored':
      return `stored: access token fp ${step.accessTokenFp}${step.expiresAt ? `, expires in ${formatDistanceStrict(new Date(step.expiresAt), now)}` : ''}`;
    case 'failed':
      return `login failed: ${stripControl(step.message)}${step.hint ? `\n  fix: ${stripControl(step.hint)}` : ''}`;
  }
}
