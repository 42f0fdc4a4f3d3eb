// Capabilities for host files: the doors read and write host paths only inside the folders the
// user granted in this run. The web door's grants are its `--allow <dir>` folders (and its upload
// folder); the Electron door's are the files and folders the user picked in a native dialog or
// dropped on the window. The user's data folder is always granted. The CLI never goes through here:
// it is the user's own shell.
//
// A path is checked after resolving symlinks (realpath), so a link inside a grant that points
// outside it is refused, and the comparison is on path segments, so a grant of /a/b does not cover
// /a/bc. A path that does not exist yet (an export target) is checked through its nearest existing
// ancestor; a dangling symlink is refused, since writing through it would land wherever it points.
import { lstat, realpath } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { isInside } from '../files/path-inside.js';
import { ServiceError, type ChannelRequestParsed, type JobSpec } from '../../common/contract/index.js';

/** What to tell the user when a path is outside every grant: the rule and how to grant. */
export const grantHints = {
  web: 'this folder was not shared with Denoise Lab. Start it with --allow <folder> to use it.',
  electron: 'this file or folder was not chosen in Denoise Lab. Choose it with Open… or drop it on the window.',
} as const;

export class PathGrants {
  private readonly granted: string[] = [];

  constructor(
    private readonly hint: string,
    folders: readonly string[] = [],
  ) {
    for (const f of folders) this.allow(f);
  }

  /** The real paths granted so far: what a job's reads through links are confined to. */
  get roots(): readonly string[] {
    return [...this.granted];
  }

  /** Grant a file or folder (and everything under it). Throws when it does not exist. */
  allow(target: string): void {
    const real = realpathSync.native(path.resolve(target));
    if (!this.granted.includes(real)) this.granted.push(real);
  }

  /** Grant one file that may not exist yet (a save target): its folder's real path plus its name. */
  allowFile(file: string): void {
    const abs = path.resolve(file);
    const real = path.join(realpathSync.native(path.dirname(abs)), path.basename(abs));
    if (!this.granted.includes(real)) this.granted.push(real);
  }

  /** Resolves when `given` lies inside a grant; rejects with a 'forbidden' ServiceError otherwise. */
  async check(given: string): Promise<void> {
    const real = await resolveExisting(path.resolve(given));
    if (real !== null && this.granted.some((root) => isInside(root, real))) return;
    throw new ServiceError('forbidden', `Cannot use '${given}': ${this.hint}`);
  }

  /** Check every host path in a request (see hostPathsOf). */
  async checkRequest(channel: string, request: unknown): Promise<void> {
    for (const p of hostPathsOf(channel, request)) await this.check(p);
  }
}

/**
 * The real path of `abs`: realpath of its nearest existing ancestor plus the rest, or null when a
 * component is a dangling or looping symlink (where the path would lead cannot be known).
 */
async function resolveExisting(abs: string): Promise<string | null> {
  const rest: string[] = [];
  let at = abs;
  for (;;) {
    try {
      return path.join(await realpath(at), ...rest);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return null;
      // Missing: fine to go up, unless `at` itself exists as a link to nowhere.
      if (
        await lstat(at).then(
          () => true,
          () => false,
        )
      )
        return null;
      const parent = path.dirname(at);
      if (parent === at) return null;
      rest.unshift(path.basename(at));
      at = parent;
    }
  }
}

/**
 * Every host path a (validated) request names, for the grant check: one list for the whole
 * contract (its `hostPath` fields), so a new path-bearing field must be added here.
 */
export function hostPathsOf(channel: string, request: unknown): string[] {
  const r = request as Record<string, unknown>;
  switch (channel) {
    case 'images:open':
    case 'models:import':
      return [r.path as string];
    case 'jobs:start':
      return jobPaths(request as JobSpec);
    default:
      return [];
  }
}

function jobPaths(spec: JobSpec): string[] {
  switch (spec.kind) {
    case 'open-image':
    case 'import-model':
      return [(spec.params as ChannelRequestParsed<'images:open'>).path];
    case 'export':
    case 'export-onnx': {
      const d = (spec.params as { destination: { kind: string; path?: string } }).destination;
      return d.kind === 'path' ? [d.path!] : [];
    }
    case 'batch-denoise': {
      const p = spec.params as { inputs: string[]; outDir: string };
      return [...p.inputs, p.outDir];
    }
    case 'train': {
      const data = (spec.params as { data: { kind: string; path?: string } }).data;
      return data.path === undefined ? [] : [data.path];
    }
    default:
      return [];
  }
}
