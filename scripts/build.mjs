// Builds every process type of Denoise Lab into out/ in one pass:
//   out/main/electron.js  Electron main process (ESM)
//   out/preload/index.cjs sandboxed preload (must be CommonJS: sandboxed preloads cannot load ESM)
//   out/worker/worker.js  the worker thread that runs the engine and imaging
//   out/worker/ort-node-thread.js  a thread that runs one graph (data-parallel training slices)
//   out/cli/index.js      the denoise-lab CLI
//   out/cli/huge-pages.js its launcher (bin/denoise-lab.js imports it before the CLI)
//   out/bench/*.js        the benchmarks (dev only, not packaged)
//   out/host/serve.js     the local web host (used when Electron is not installed)
//   out/renderer/         the Svelte renderer, built by Vite
// Runs as the npm `prepare` script, so `npm install` leaves a runnable app behind.
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';
import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const out = path.join(root, 'out');
const quiet = process.argv.includes('--quiet');

rmSync(out, { recursive: true, force: true });

/** Entry points of the app that run under Node (or Electron's Node). Dependencies stay in node_modules. */
const appEntries = {
  'main/electron': 'main/electron/main.ts',
  'worker/worker': 'main/worker/worker.ts',
  // One training slice's ONNX Runtime session in a thread of its own (engine/exec/ort-node-thread.ts).
  'worker/ort-node-thread': 'main/engine/exec/ort-node-thread-worker.ts',
  'cli/index': 'main/cli/index.ts',
  // The CLI's launcher: starts the command in a process with huge pages (main/cli/huge-pages.ts).
  'cli/huge-pages': 'main/cli/huge-pages.ts',
  'host/serve': 'main/host/serve.ts',
};

/** Benchmarks are dev-only: built beside the app for `npm run bench*`, never packaged (electron-builder.yml). */
const benchEntries = {
  'bench/speed': 'bench/speed.ts',
  'bench/engine-peer': 'bench/engine-peer.ts',
  'bench/quality': 'bench/quality.ts',
  'bench/real': 'bench/real.ts',
  'bench/growth': 'bench/growth.ts',
  'bench/calibrate-estimator': 'bench/calibrate-estimator.ts',
  'bench/calibrate-jpeg': 'bench/calibrate-jpeg.ts',
  'bench/calibrate-grain': 'bench/calibrate-grain.ts',
  'bench/estimator-headroom': 'bench/estimator-headroom.ts',
  'bench/quantize': 'bench/quantize.ts',
  'bench/step-profile': 'bench/step-profile.ts',
  'bench/jpeg-tables': 'bench/jpeg-tables.ts',
};

/**
 * Bundles Node entry points as ESM. Code behind a dynamic import() goes into a chunk of its own,
 * loaded when first needed (an executor's runtime, ExifTool): without splitting esbuild inlines
 * it, and every process loaded every runtime at start-up (`denoise-lab --version` took 0.49 s
 * instead of 0.34). The app's chunks and the benchmarks' are built apart, into out/chunks/ and
 * out/bench/chunks/, so that no benchmark code lands in a chunk the app ships.
 */
async function buildNode(entries, chunkNames) {
  const present = Object.fromEntries(Object.entries(entries).filter(([, file]) => existsSync(path.join(root, file))));
  if (Object.keys(present).length === 0) return 0;
  await build({
    absWorkingDir: root,
    entryPoints: present,
    outdir: out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    splitting: true,
    chunkNames,
    packages: 'external',
    sourcemap: true,
    logLevel: quiet ? 'error' : 'warning',
    banner: {
      // Bundled ESM has no require/__dirname; a few dependencies and our own asset lookups need them.
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  return Object.keys(present).length;
}

const nodeTargets =
  (await buildNode(appEntries, 'chunks/[name]-[hash]')) + (await buildNode(benchEntries, 'bench/chunks/[name]-[hash]'));

await build({
  absWorkingDir: root,
  entryPoints: { 'preload/index': 'preload/index.ts' },
  outdir: out,
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['electron'],
  sourcemap: true,
  logLevel: quiet ? 'error' : 'warning',
});

await viteBuild({
  configFile: path.join(root, 'vite.config.ts'),
  logLevel: quiet ? 'error' : 'warn',
});

if (!quiet) console.error(`built ${nodeTargets + 2} targets into ${path.relative(process.cwd(), out) || 'out'}/`);
