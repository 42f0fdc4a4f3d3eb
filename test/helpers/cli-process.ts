// Runs the CLI as a real process, for the few tests where the process itself matters (its exit
// code and stderr as a shell sees them, no stack trace from an uncaught error, no hang, another
// user's permissions). The CLI is bundled from the current sources with esbuild, once per test
// file, into its own folder under out/ (the dependencies resolve from the repository's
// node_modules, and the package root is found above it as for out/cli/index.js).
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { nodeBundle } from './node-bundle.js';
import type { CliRun } from './cli.js';

export interface CliProcess {
  run(argv: string[], opts?: Pick<SpawnSyncOptions, 'uid' | 'gid' | 'timeout' | 'env'>): CliRun;
  dispose(): void;
}

export async function bundleCli(): Promise<CliProcess> {
  const dir = path.resolve('out', `test-cli-${process.pid}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const entry = path.join(dir, 'index.js');
  await build({
    entryPoints: ['main/cli/index.ts'],
    outfile: entry,
    ...nodeBundle,
  });
  return {
    run(argv, opts = {}) {
      const r = spawnSync(process.execPath, [entry, ...argv], { encoding: 'utf8', timeout: 30_000, ...opts });
      return { code: r.status ?? (r.signal ? 128 : 1), out: r.stdout, err: r.stderr };
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
