import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startBrokerProcess } from '../../adapters/broker-process.js';
import { unsafeNoLockEnv } from '../../adapters/refresh-lock.js';
import { demoAccounts, demoClients, demoGithubApp } from '../../adapters/local-providers.js';
import { BrokerError } from '../../core/broker-error.js';
import { apiCommand } from '../api.js';
import { connectCommand } from '../connect.js';
import { refreshNow } from '../refresh.js';
import { tokenCommand } from '../token.js';
import { ago, seedOidcConnection, type DemoHome } from './demo-home.js';

// The failures the doctor is for, caused for real: the broker itself (its commands in this
// process, or as other processes where the story needs other pids) against the local providers,
// which answer as they would in production. Nothing here writes a log line or a lastError itself.

export interface CausedFailure {
  /** The finding the doctor should name. */
  id: string;
  conn: string;
  /** What was done, in one line (for the demo's progress). */
  done: string;
}

export type CauseFailure = (demo: DemoHome) => Promise<CausedFailure>;

/**
 * Two agents ask for deploy-agent's expired token at the same moment, each refreshing it without the
 * lock (BROKER_UNSAFE_NO_REFRESH_LOCK, for these two processes only). The provider holds both requests
 * until both have arrived, so both present the same refresh token: it answers the first, and sees the
 * second as a reuse of a spent token, which revokes the grant; the loser then finds the winner's
 * token refused too.
 */
export const causeRefreshRace: CauseFailure = async (demo) => {
  const conn = 'deploy-agent';
  await seedOidcConnection(demo, { name: conn, account: demoAccounts.service, client: demoClients.racing, createdAgoMs: ago.days(41), obtainedAgoMs: ago.minutes(61), generation: 212 });
  const oidc = demo.providers.oidc;
  const revokedBefore = oidc.stats().grantsRevoked;
  // Two processes start on a busy machine in well under 20 s; past that the race is reported as not having happened.
  const hold = oidc.holdTokenRequests(2, { clientId: demoClients.racing.clientId, timeoutMs: 20_000 });
  const agents = ['deploy-bot-a', 'deploy-bot-b'].map((agent) => startBrokerProcess(['token', conn], { ...demo.env, BROKER_AGENT: agent, [unsafeNoLockEnv]: '1' }));
  const exits = agents.map((a) => a.done);
  const held = await hold.arrived;
  if (held < 2) {
    hold.releaseAll();
    const ended = await Promise.all(exits);
    throw new Error(`the race did not happen: ${held} of 2 refreshes reached the provider (${ended.map((e) => e.stderr.trim()).filter(Boolean).join('; ') || 'no error'})`);
  }
  // The first is answered and its process stores the new tokens and exits; only then is the
  // second answered, so the loser finds the winner's token in the store, as a real loser would.
  await hold.releaseNext();
  await Promise.race(exits);
  await hold.releaseNext();
  const codes = (await Promise.all(exits)).map((e) => e.code).sort();
  if (codes.join(',') !== '0,3' || oidc.stats().grantsRevoked <= revokedBefore) {
    throw new Error(`the race ended unexpectedly: exit codes ${codes.join(', ')}, ${oidc.stats().grantsRevoked - revokedBefore} grants revoked`);
  }
  return { id: 'refresh-race', conn, done: 'two agents refreshed one token at once without the lock; the provider revoked the token family' };
};

/**
 * billing-sync reads its client secret from a file. It refreshes fine; then the secret is rotated at
 * the provider (the file still holds the old one), and the next refresh is answered invalid_client.
 */
export const causeSecretRotation: CauseFailure = async (demo) => {
  const conn = 'billing-sync';
  await seedOidcConnection(demo, { name: conn, account: demoAccounts.service, client: demoClients.rotated, secretIn: 'file', createdAgoMs: ago.days(120), obtainedAgoMs: ago.minutes(75), generation: 880 });
  const agent = demo.deps({ BROKER_AGENT: 'billing-worker' });
  await expectExit(tokenCommand.run({ name: conn }, agent), 0, agent.said, 'the refresh before the rotation');
  demo.providers.oidc.setClientSecret(`billing-sync-client-secret-${randomBytes(6).toString('hex')}`, demoClients.rotated.clientId);
  const cron = demo.deps({ BROKER_AGENT: 'billing-cron' });
  const { report } = await refreshNow(cron, conn, 'manual');
  if (report.outcome !== 'error') throw new Error('the refresh after the rotation was accepted');
  return { id: 'client-secret-rotated', conn, done: 'its client secret was rotated at the provider; the next refresh met invalid_client' };
};

/**
 * gh-app-deploy is the App's installation on acme. An agent asks it for a globex repository; the App
 * is installed on globex too, but that is another installation, so the broker refuses the request.
 */
export const causeWrongInstallation: CauseFailure = async (demo) => {
  const conn = 'gh-app-deploy';
  const [bound] = demoGithubApp.installations;
  const keyFile = join(demo.root, `${conn}.pem`);
  writeFileSync(keyFile, demo.providers.appPrivateKey, { mode: 0o600 });
  const setup = demo.deps();
  try {
    const opts = connectCommand.parse(
      {
        provider: 'github-app',
        'app-id': String(demoGithubApp.appId),
        installation: String(bound.id),
        'installation-account': bound.account,
        'private-key-file': keyFile,
        'api-base-url': demo.providers.github.url,
      },
      [conn],
    );
    await expectExit(connectCommand.run(opts, setup), 0, setup.said, 'connect');
  } finally {
    // The key now lives in the token store only.
    rmSync(keyFile, { force: true });
  }
  const agent = demo.deps({ BROKER_AGENT: 'release-agent' });
  await expectExit(apiCommand.run(apiCommand.parse({}, [conn, '/repos/acme/api']), agent), 0, agent.said, 'GET /repos/acme/api');
  const refused = await exitCodeOf(apiCommand.run(apiCommand.parse({}, [conn, '/repos/globex/billing']), agent));
  if (refused === 0) throw new Error('GET /repos/globex/billing was answered');
  return { id: 'wrong-installation', conn, done: 'an agent asked the acme installation for globex/billing' };
};

/**
 * nightly-report was made three months ago and last refreshed twenty days ago, longer than the
 * provider keeps an unused refresh token (14 days). The provider's idle policy expires it; the
 * report's next run asks for a token and the refresh is answered invalid_grant.
 */
export const causeIdleRevocation: CauseFailure = async (demo) => {
  const conn = 'nightly-report';
  const { refreshToken } = await seedOidcConnection(demo, { name: conn, account: demoAccounts.service, client: demoClients.shared, createdAgoMs: ago.days(92), obtainedAgoMs: ago.days(20), generation: 31 });
  await demo.providers.oidc.idleOutGrant(refreshToken);
  const job = demo.deps({ BROKER_AGENT: 'report-job' });
  if ((await exitCodeOf(tokenCommand.run({ name: conn }, job))) === 0) throw new Error('the idle refresh token was accepted');
  return { id: 'idle-revoked', conn, done: 'its refresh token sat unused for 20 days; the provider had expired it' };
};

/** dana-notes is Dana's own connection; a CI job asks for its token and is refused (and that is logged). */
export const causePersonalInCi: CauseFailure = async (demo) => {
  const conn = 'dana-notes';
  await seedOidcConnection(demo, { name: conn, kind: 'personal', account: demoAccounts.person, client: demoClients.shared, createdAgoMs: ago.days(9), obtainedAgoMs: ago.minutes(20), generation: 4 });
  const ci = demo.deps({ CI: 'true', BROKER_AGENT: 'nightly-ci' });
  if ((await exitCodeOf(tokenCommand.run({ name: conn }, ci))) === 0) throw new Error('the personal token was handed to CI');
  return { id: 'personal-in-ci', conn, done: 'a CI job asked for a personal connection and was refused' };
};

/** The four a person fixes with one key, and the policy warning beside them. */
export const headlineFailures = {
  'refresh-race': causeRefreshRace,
  'client-secret-rotated': causeSecretRotation,
  'wrong-installation': causeWrongInstallation,
  'idle-revoked': causeIdleRevocation,
  'personal-in-ci': causePersonalInCi,
} as const satisfies Record<string, CauseFailure>;

/** A connection nothing is wrong with, refreshed a moment ago: the grid's OK row. */
export async function seedHealthyConnection(demo: DemoHome): Promise<void> {
  const conn = 'wiki-search';
  await seedOidcConnection(demo, { name: conn, account: demoAccounts.service, client: demoClients.shared, createdAgoMs: ago.days(30), obtainedAgoMs: ago.minutes(70), generation: 57 });
  const agent = demo.deps({ BROKER_AGENT: 'search-agent' });
  await expectExit(tokenCommand.run({ name: conn }, agent), 0, agent.said, 'broker token');
}

/** A command's exit code, as main would make it of a BrokerError it throws. */
function exitCodeOf(run: Promise<number>): Promise<number> {
  return run.catch((err: unknown) => (err instanceof BrokerError ? err.exitCode : Promise.reject(err)));
}

async function expectExit(run: Promise<number>, expected: number, said: () => string, what: string): Promise<void> {
  const code = await exitCodeOf(run);
  if (code !== expected) throw new Error(`${what} exited ${code}: ${said().trim()}`);
}
