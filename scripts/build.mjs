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
  external: ['@napi-rs/keyring', '@napi-rs/keyring/*', 'oidc-provider', 'react-devtools-core'],
  banner: { js: "#!/usr/bin/env node\nimport { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  jsx: 'automatic',
  logLevel: 'warning',
  legalComments: 'none',
});
