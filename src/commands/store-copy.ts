import { usageError } from '../core/broker-error.js';
import { exitCodes } from '../core/exit-codes.js';
import type { StoreStatus } from '../core/findings.js';
import type { Connection } from '../core/state-schema.js';
import { holdsAccessToken, type TokenBundle } from '../core/token-bundle.js';
import type { Store } from '../adapters/store.js';
import { defineCommand, type OptionValues } from './command.js';
import { chooseStore } from './deps.js';

export interface StoreCopyOptions {
  to: StoreStatus['backend'];
  json: boolean;
}

export interface CopyLine {
  conn: string;
  result: 'copied' | 'same' | 'refused';
  detail: string;
  generation: number;
}

const backends = ['postgres', 'keychain', 'file'] as const;

export const storeCommand = defineCommand<StoreCopyOptions>({
  name: 'store',
  usage: `Usage: broker store copy --to postgres|keychain|file [--json]

Copies every connection of the store in use (BROKER_STORE) to another store, with its tokens and
acknowledgements, so nothing needs a new login: from one machine's keychain or file store into the
shared PostgreSQL store, or back. The store named by --to is configured by the same variables it
would use as BROKER_STORE (BROKER_DATABASE_URL or PG*, BROKER_PASSPHRASE or BROKER_KEY_FILE; the
home for keychain and file). Each connection is copied under its refresh lock on both sides.

A connection the target already holds at a newer generation (it was refreshed there since) is
refused and left as it is; at the same generation with the same token it is already there. The
source is not changed: switch BROKER_STORE on every host once the copy is done. Events stay where
they were written.

Exit codes: 0 every connection is in the target; 1 one was refused or failed; 2 bad usage.

Options:
  --to STORE   postgres, keychain or file
  --json       print {from, to, connections: [{conn, result, detail, generation}]}
`,
  options: { to: { type: 'string' }, json: { type: 'boolean' } },
  parse(values: OptionValues, positionals: string[]) {
    const [verb, ...extra] = positionals;
    if (verb !== 'copy' || extra.length > 0) throw usageError('store takes one verb: copy', 'broker store copy --to postgres|keychain|file');
    const to = values.to;
    if (typeof to !== 'string' || !(backends as readonly string[]).includes(to)) throw usageError('store copy needs --to postgres, keychain or file', 'broker store copy --to postgres');
    return { to: to as StoreStatus['backend'], json: values.json === true };
  },
  async run(opts, deps) {
    const source = deps.store;
    if (source.backend === opts.to) throw usageError(`the store in use is already ${opts.to} (BROKER_STORE)`, 'set BROKER_STORE to the store to copy from, and --to to the one to copy to');
    const target = chooseStore({ paths: deps.paths, env: { ...deps.env, BROKER_STORE: opts.to }, warn: (m) => deps.io.stderr.write(`broker: warning: ${m}\n`) });
    const lines: CopyLine[] = [];
    try {
      await target.load();
      // An unreachable target says so before anything is read from the source.
      const status = await target.tokens().status();
      if (!status.available) throw usageError(`the ${opts.to} store cannot be used: ${status.problem ?? 'no reason given'}`);
      for (const connection of source.state().list()) {
        const line = await copyOne(source, target, connection.name, opts.to);
        lines.push(line);
        if (!opts.json) deps.io.stdout.write(`${line.conn}: ${line.result}: ${line.detail}\n`);
      }
    } finally {
      await target.close();
    }
    if (opts.json) deps.io.stdout.write(`${JSON.stringify({ from: source.backend, to: opts.to, connections: lines }, null, 2)}\n`);
    else deps.io.stderr.write(`${lines.filter((l) => l.result !== 'refused').length} of ${lines.length} connection(s) in ${opts.to}; switch BROKER_STORE=${opts.to} on every host to use them\n`);
    return lines.some((l) => l.result === 'refused') ? exitCodes.failed : exitCodes.ok;
  },
});

async function copyOne(source: Store, target: Store, name: string, to: string): Promise<CopyLine> {
  // Under the source's lock: a refresh there cannot rotate the token between reading and copying it.
  const held = await source.lockForRefresh(name);
  try {
    const { connection, entry } = await held.read();
    if (!connection) return { conn: name, result: 'refused', detail: 'removed while copying', generation: 0 };
    return await copyInto(target, connection, entry, to);
  } catch (err) {
    return { conn: name, result: 'refused', detail: err instanceof Error ? err.message : String(err), generation: 0 };
  } finally {
    await held.release();
  }
}

async function copyInto(target: Store, connection: Connection, bundle: TokenBundle | null, to: string): Promise<CopyLine> {
  const name = connection.name;
  const line = (result: CopyLine['result'], detail: string): CopyLine => ({ conn: name, result, detail, generation: connection.generation });
  const there = target.state().get(name);
  if (!there) {
    if (bundle) await target.tokens().write(name, bundle);
    await target.state().add(connection);
    return line('copied', `generation ${connection.generation}${bundle ? ', with its tokens' : ', no tokens stored'}`);
  }
  const newer = (current: Connection): string | undefined =>
    current.generation > connection.generation
      ? `${to} holds generation ${current.generation}, newer than this one's ${connection.generation}: left as it is`
      : current.generation === connection.generation && current.accessTokenFp !== connection.accessTokenFp
        ? `${to} holds other tokens at the same generation ${current.generation}: left as it is (log in there, or remove it there and copy again)`
        : undefined;
  const refusal = newer(there);
  if (refusal) return line('refused', refusal);
  if (there.generation === connection.generation) return line('same', `already in ${to} at generation ${connection.generation}`);
  if (!holdsAccessToken(bundle)) {
    if (bundle) await target.tokens().write(name, bundle);
    await target.state().update(name, () => connection);
    return line('copied', `generation ${connection.generation} over ${there.generation}`);
  }
  // Under the target's lock, stored only over what was read there: a refresh on a target host meanwhile wins.
  const held = await target.lockForRefresh(name);
  try {
    const { connection: current } = await held.read();
    const late = current ? newer(current) : undefined;
    if (late) return line('refused', late);
    await held.commit(bundle, () => connection);
    return line('copied', `generation ${connection.generation} over ${there.generation}, with its tokens`);
  } finally {
    await held.release();
  }
}
