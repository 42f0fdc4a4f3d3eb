// Which image files a folder holds: the one folder walker of the app, used by batch denoising and
// by training on a folder, so that both see the same files. Symbolic links are followed (a photo
// library is often a folder of links), folders already visited are skipped (a link to a parent
// would otherwise loop forever), and the order is byte order of the names: the same list on every
// machine and every run.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ImagingError } from '../../common/errors.js';

/** Extensions of the formats read (HEIC is listed so that it is refused by name, not skipped). */
export const IMAGE_EXTENSIONS: readonly string[] = [
  '.png',
  '.jpg',
  '.jpeg',
  '.webp',
  '.tif',
  '.tiff',
  '.avif',
  '.heic',
  '.heif',
  '.gif',
];

export function isImageFileName(name: string): boolean {
  return IMAGE_EXTENSIONS.includes(path.extname(name).toLowerCase());
}

/** Byte order, not the locale's. */
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Paths, relative to `dir`, of the entries with an image extension under `dir` (and its sub-folders
 * when `recursive`), sorted. Folders are never listed; anything else with an image name is,
 * whatever it is (a broken link, a FIFO…), so that reading it reports the problem instead of the
 * file silently missing. `exclude` names a folder to leave out (a batch's output folder inside its
 * input folder: otherwise a second run would take the first run's results as inputs).
 */
export async function listImageFiles(
  dir: string,
  { recursive, exclude }: { recursive: boolean; exclude?: string },
): Promise<string[]> {
  const root = await stat(dir);
  const visited = new Set([`${root.dev}:${root.ino}`]);
  const skip = exclude === undefined ? undefined : await stat(exclude).catch(() => undefined);
  if (skip?.isDirectory()) visited.add(`${skip.dev}:${skip.ino}`);
  const files: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const folder = path.join(dir, rel);
    const names = await readdir(folder).catch((e: NodeJS.ErrnoException) => {
      throw new ImagingError('not-found', `${folder}: cannot list this folder (${e.code ?? e.message})`);
    });
    names.sort(byName);
    for (const name of names) {
      const r = path.join(rel, name);
      // stat follows links; a broken link or a link loop has no target to describe.
      const st = await stat(path.join(dir, r)).catch(() => undefined);
      if (st?.isDirectory()) {
        const key = `${st.dev}:${st.ino}`;
        if (!recursive || visited.has(key)) continue;
        visited.add(key);
        await walk(r);
      } else if (isImageFileName(name)) files.push(r);
    }
  };
  await walk('');
  return files;
}
