import { noSuchConnection } from '../core/broker-error.js';
import { exitCodes } from '../core/exit-codes.js';
import { defineCommand, type OptionValues } from './command.js';
import { oneName } from './token.js';

export interface LogoutOptions {
  name: string;
}

export const logoutCommand = defineCommand<LogoutOptions>({
  name: 'logout',
  usage: `Usage: broker logout NAME

Deletes NAME's token bundle from the token store and forgets the token metadata; the connection
itself stays, so \`broker login NAME\` brings it back. The tokens are not revoked at the provider.
`,
  options: {},
  parse: (_values: OptionValues, positionals: string[]) => ({ name: oneName('logout', positionals) }),
  async run(opts, deps) {
    const state = deps.state();
    if (!state.get(opts.name)) throw noSuchConnection(opts.name);
    const tokens = deps.tokens();
    const bundle = await tokens.read(opts.name).catch(() => null);
    const deleted = await tokens.delete(opts.name);
    await state.update(opts.name, (c) => ({
      ...c,
      accessTokenExpiresAt: undefined,
      accessTokenFp: undefined,
      refreshTokenFp: undefined,
      refreshTokenObtainedAt: undefined,
      lastError: undefined,
    }));
    deps.io.stdout.write(deleted ? `logged out ${opts.name}: tokens deleted; the connection stays (broker login ${opts.name})\n` : `${opts.name} had no tokens stored\n`);
    if (bundle?.client_secret || bundle?.private_key) {
      deps.io.stderr.write(`broker: the ${bundle.private_key ? 'private key' : 'client secret'} kept with the tokens was deleted too; provide it again at the next login\n`);
    }
    return exitCodes.ok;
  },
});
