// Where the app's own files are, whether running from source (vitest, tsx) or from the bundle in out/.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'models'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the Denoise Lab package root above ${start}`);
    dir = parent;
  }
}

/** The folder holding package.json, models/ and assets/. */
export const packageRoot: string = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));
export const modelsDir: string = path.join(packageRoot, 'models');
export const assetsDir: string = path.join(packageRoot, 'assets');
export const rendererDir: string = path.join(packageRoot, 'out', 'renderer');
/** The built worker that runs one graph in a thread of its own (data-parallel training slices). */
export const graphThreadScript: string = path.join(packageRoot, 'out', 'worker', 'ort-node-thread.js');
