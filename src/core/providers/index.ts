import type { ProviderId } from '../state-schema.js';
import { atlassian } from './atlassian.js';
import { githubApp } from './github-app.js';
import { github } from './github.js';
import { google } from './google.js';
import { linear } from './linear.js';
import { microsoft } from './microsoft.js';
import { oidc } from './oidc.js';
import { slack } from './slack.js';
import type { ProviderProfile } from './types.js';

export type { ProviderProfile, ErrorMapping, IdentityEndpoint, ProviderEndpoints } from './types.js';
export type { CanonicalCause } from './causes.js';
export { canonicalCauses, clientCauses, loginNeededCauses } from './causes.js';

export const providerProfiles: Record<ProviderId, ProviderProfile> = {
  github,
  'github-app': githubApp,
  google,
  microsoft,
  slack,
  linear,
  atlassian,
  oidc,
};

export function providerProfile(id: ProviderId): ProviderProfile {
  return providerProfiles[id];
}
