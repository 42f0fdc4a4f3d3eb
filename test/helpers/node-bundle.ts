// How the tests bundle a Node entry point from the current sources (the CLI, the worker, a driver),
// the way scripts/build.mjs bundles the app: ESM for Node 20, dependencies left in node_modules,
// and the `require` that bundled ESM lacks.
import type { BuildOptions } from 'esbuild';

export const nodeBundle = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  logLevel: 'error',
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
} as const satisfies BuildOptions;
