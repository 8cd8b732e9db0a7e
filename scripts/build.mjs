// Bundles the CLI into one file: loading ink + react unbundled costs ~0.7 s before the first frame.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/broker.mjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  splitting: false,
  // Native and server-only packages stay external: the keyring ships a .node binary,
  // oidc-provider is only used by the demo's local providers.
  external: ['@napi-rs/keyring', '@napi-rs/keyring/*', 'oidc-provider'],
  // Ink imports react-devtools-core (not installed) only when DEV=true; left external, the single-file
  // bundle hoists it to a top-level import that fails at start-up, so it becomes a module that throws when loaded.
  plugins: [
    {
      name: 'no-react-devtools',
      setup(b) {
        b.onResolve({ filter: /^react-devtools-core$/ }, () => ({ path: 'react-devtools-core', namespace: 'absent' }));
        b.onLoad({ filter: /.*/, namespace: 'absent' }, () => ({ contents: "throw new Error('react-devtools-core is not bundled');" }));
      },
    },
  ],
  banner: { js: "#!/usr/bin/env node\nimport { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  jsx: 'automatic',
  logLevel: 'warning',
  legalComments: 'none',
});
