// Bundles the CLI: loading ink + react unbundled costs ~0.7 s before the first frame. Code splitting
// keeps each command's code (and Ink, loaded only in a terminal) in chunks that load only when used,
// so `broker token` and `status --json` do not compile the whole 3.8 MB.
import { rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { build } from 'esbuild';

// Chunk names carry content hashes: without a clean folder every build would leave the last one's chunks behind.
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

await build({
  entryPoints: { broker: 'src/cli.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  splitting: true,
  // Native and server-only packages stay external: the keyring ships a .node binary,
  // oidc-provider is only used by the demo's local providers.
  external: ['@napi-rs/keyring', '@napi-rs/keyring/*', 'oidc-provider'],
  plugins: [
    {
      // pg asks whether it runs in a Cloudflare Worker by constructing a fetch Response, which on
      // Node 20 loads Node's whole undici (≈25 ms of every PostgreSQL command's start-up). This
      // bundle only ever runs on Node: the answer is no. Fails the build if pg changes that code.
      name: 'pg-on-node',
      setup(b) {
        b.onLoad({ filter: /[\\/]node_modules[\\/]pg[\\/]lib[\\/]stream\.js$/ }, async (args) => {
          const source = await readFile(args.path, 'utf8');
          const marker = 'function isCloudflareRuntime() {';
          if (!source.includes(marker)) throw new Error(`${args.path}: isCloudflareRuntime() is gone; review the pg-on-node plugin`);
          return { contents: source.replace(marker, `${marker}\n  return false;`), loader: 'js' };
        });
      },
    },
    {
      // Ink imports react-devtools-core (not installed) only when DEV=true; left external, the bundle
      // hoists it to a top-level import that fails at start-up, so it becomes a module that throws when loaded.
      name: 'no-react-devtools',
      setup(b) {
        b.onResolve({ filter: /^react-devtools-core$/ }, () => ({ path: 'react-devtools-core', namespace: 'absent' }));
        b.onLoad({ filter: /.*/, namespace: 'absent' }, () => ({ contents: "throw new Error('react-devtools-core is not bundled');" }));
      },
    },
  ],
  banner: { js: "#!/usr/bin/env node\nimport { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  // React picks its build at run time from NODE_ENV, which nobody sets for a CLI: without this the
  // TUI ran React's development build (700 KB more to compile, and slower renders).
  define: { 'process.env.NODE_ENV': '"production"' },
  jsx: 'automatic',
  logLevel: 'warning',
  legalComments: 'none',
});
