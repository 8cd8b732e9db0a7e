// What a login reports while it runs. The plain-text output and the Ink screen both read these.

export type LoginMethod = 'browser' | 'device' | 'paste';

export type LoginStep =
  | { kind: 'start'; conn: string; method: LoginMethod; scopes: string[]; expected?: string }
  | { kind: 'open-url'; url: string; browserOpened: boolean; timeoutSec: number }
  | { kind: 'device-code'; userCode: string; verificationUri: string; verificationUriComplete?: string; expiresAt: string }
  | { kind: 'tokens' }
  | { kind: 'identity'; identity: string; expected?: string; ok: boolean }
  | { kind: 'stored'; accessTokenFp: string; expiresAt?: string }
  | { kind: 'failed'; message: string; hint?: string };

export type LoginReporter = (step: LoginStep) => void;
