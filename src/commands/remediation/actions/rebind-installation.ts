import { PassThrough } from 'node:stream';
import { findRepositoryInstallation, installationTokenFor } from '../../../adapters/github-app-token.js';
import { BrokerError } from '../../../core/broker-error.js';
import { apiCommand } from '../../api.js';
import type { ActionExecutor } from '../run-remediation.js';
import { requireConn } from './require-conn.js';

/**
 * The App is installed on several accounts, one installation each: the connection is bound to the
 * installation that covers the failing repository (found with the App's JWT), a token is minted for
 * it, and the repository is fetched with that token, a request the re-check sees succeed.
 */
export const rebindInstallation: ActionExecutor = async (remediation, deps) => {
  const conn = requireConn(remediation);
  const repository = remediation.subject;
  if (!repository) throw new BrokerError(`${remediation.findingId} on ${conn} names no repository to rebind to`, 1, `run: broker connect ${conn} --provider github-app … --installation N`);
  const connection = deps.state().get(conn);
  const bundle = await deps.tokens().readEntry(conn);
  if (!connection?.installation || !bundle?.private_key) throw new BrokerError(`${conn} is not a GitHub App connection with its private key in the token store`, 1);
  let found;
  try {
    found = await findRepositoryInstallation(connection, bundle, repository, { env: deps.env });
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status === 404) return { ok: false, detail: `the App (id ${connection.appId}) is not installed on ${repository}: an owner of it must install the App, then run this again` };
    throw err;
  }
  const previous = connection.installation;
  if (found.id === previous.id) return { ok: false, detail: `${repository} is already covered by installation ${found.id} (${found.account}): the 404 is something else, see the runbook` };
  await deps.state().update(conn, (c) => ({ ...c, installation: found }));
  await installationTokenFor(conn, deps, { trigger: 'manual', force: true });
  const sink = new PassThrough().resume();
  const fetched = await apiCommand.run(apiCommand.parse({}, [conn, `/repos/${repository}`]), { ...deps, mode: 'text', io: { ...deps.io, stdout: sink, stderr: sink } });
  const rebound = `${conn}: bound to installation ${found.id} (${found.account}) instead of ${previous.id} (${previous.account}); minted a token for it`;
  if (fetched !== 0) return { ok: false, detail: `${rebound}, but GET /repos/${repository} still failed (exit ${fetched})` };
  return { ok: true, detail: `${rebound}; GET /repos/${repository} answered 200. Repositories of ${previous.account} now need a connection of their own.` };
};
