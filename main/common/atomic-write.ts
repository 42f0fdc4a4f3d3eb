// Writes a whole file or nothing: the bytes go to a temporary file in the destination folder (same
// filesystem, so the final step is atomic) and only then take the destination's name. A crash or
// an error leaves at most the temporary file's removal undone, never a half-written file.
// Used for every file the app writes (images, models, checkpoints, settings). Failures are
// ImagingErrors ('exists', 'unwritable') because the worker and the service already turn those
// into messages for the user.

import { randomBytes } from 'node:crypto';
import { link, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ImagingError } from '../imaging/errors.js';

export interface AtomicWriteOptions {
  /** Replace an existing file (default false: an existing file is an error). */
  overwrite?: boolean;
}

export async function writeFileAtomic(
  file: string,
  data: Uint8Array,
  { overwrite = false }: AtomicWriteOptions = {},
): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  const dirStat = await stat(dir).catch(() => undefined);
  if (!dirStat) throw new ImagingError('unwritable', `${file}: cannot write, folder ${dir} does not exist`);
  if (!dirStat.isDirectory()) throw new ImagingError('unwritable', `${file}: cannot write, ${dir} is not a folder`);
  const existing = await stat(file).catch(() => undefined);
  if (existing?.isDirectory()) throw new ImagingError('unwritable', `${file}: cannot write, it is a folder`);
  if (existing && !overwrite)
    throw new ImagingError('exists', `${file}: already exists (refusing to overwrite; ask for overwrite explicitly)`);

  // The random part only has to avoid clashes between concurrent writers; it is not reproducible data.
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, data, { flag: 'wx' });
    if (overwrite) {
      await rename(tmp, file);
    } else {
      // link() fails if the name was taken meanwhile, so no race can overwrite someone else's file.
      try {
        await link(tmp, file);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw e;
        // Filesystems without hard links: check-then-rename is the best we can do there.
        if (await stat(file).catch(() => undefined)) throw Object.assign(new Error('exists'), { code: 'EEXIST' });
        await rename(tmp, file);
      }
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new ImagingError('exists', `${file}: already exists (refusing to overwrite)`);
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
      throw new ImagingError('unwritable', `${file}: cannot write, permission denied in ${dir}`);
    if (code === 'ENOSPC') throw new ImagingError('unwritable', `${file}: cannot write, the disk is full`);
    throw new ImagingError('unwritable', `${file}: cannot write (${(e as Error).message})`);
  } finally {
    await rm(tmp, { force: true }).catch(() => undefined);
  }
}
