// Writes a whole file or nothing: the bytes go to a temporary file in the destination folder (same
// filesystem, so the final step is atomic), are flushed to the disk, and only then take the
// destination's name; the folder is flushed too, so the new name survives a power cut. A crash or
// an error leaves at most the temporary file, never a half-written file; and the first write of a
// process into a folder removes the temporary files that writers no longer alive left there.
// Used for every file the app writes (images, models, checkpoints, settings). Failures are
// FileWriteErrors ('exists', 'unwritable'), whose messages the doors show as they are.

import { randomBytes } from 'node:crypto';
import { link, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../common/errors.js';
import { isProcessAlive } from './process-alive.js';

export type FileWriteErrorCode = 'exists' | 'unwritable';

/** A write that could not happen: the name is taken (and the caller said not to replace), or the place is not writable. */
export class FileWriteError extends AppError {
  declare readonly code: FileWriteErrorCode;
  constructor(code: FileWriteErrorCode, message: string) {
    super(code, message);
  }
}

export interface AtomicWriteOptions {
  /** Replace an existing file (default false: an existing file is an error). */
  overwrite?: boolean;
}

/** `.NAME.PID.HEX.tmp`: the temporary files this module makes, and only those. */
const TEMP_NAME = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/** Temporary files this process is writing now (they carry its PID but are not stale). */
const inFlight = new Set<string>();
/** Folders this process has already swept (once each is enough: later strays are its own). */
const swept = new Set<string>();

/**
 * Removes the temporary files that writers no longer alive left in `dir` (kill -9, power cut).
 * Only names of this module's exact pattern, and only when their PID is not a live process (or is
 * this process, which is not writing them: a PID reused after a crash). Returns the names removed.
 */
export async function removeStaleTempFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    const full = path.join(dir, name);
    const stale = pid === process.pid ? !inFlight.has(full) : !isProcessAlive(pid);
    if (
      stale &&
      (await rm(full).then(
        () => true,
        () => false,
      ))
    )
      removed.push(name);
  }
  return removed;
}

async function sweepOnce(dir: string): Promise<void> {
  if (swept.has(dir)) return;
  swept.add(dir);
  await removeStaleTempFiles(dir);
}

/** Flushes a folder's entries to the disk; where the platform cannot (Windows), renames are durable anyway. */
async function syncFolder(dir: string): Promise<void> {
  const fh = await open(dir, 'r').catch(() => undefined);
  if (!fh) return;
  try {
    await fh.sync().catch(() => undefined);
  } finally {
    await fh.close();
  }
}

export async function writeFileAtomic(
  file: string,
  data: Uint8Array,
  { overwrite = false }: AtomicWriteOptions = {},
): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  const dirStat = await stat(dir).catch(() => undefined);
  if (!dirStat) throw new FileWriteError('unwritable', `${file}: cannot write, folder ${dir} does not exist`);
  if (!dirStat.isDirectory()) throw new FileWriteError('unwritable', `${file}: cannot write, ${dir} is not a folder`);
  const existing = await stat(file).catch(() => undefined);
  if (existing?.isDirectory()) throw new FileWriteError('unwritable', `${file}: cannot write, it is a folder`);
  if (existing && !overwrite)
    throw new FileWriteError('exists', `${file}: already exists (refusing to overwrite; ask for overwrite explicitly)`);
  await sweepOnce(dir);

  // The random part only has to avoid clashes between concurrent writers; it is not reproducible data.
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  inFlight.add(tmp);
  try {
    const fh = await open(tmp, 'wx');
    try {
      await fh.writeFile(data);
      await fh.sync(); // the bytes are on the disk before any name points at them
    } finally {
      await fh.close();
    }
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
    await syncFolder(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new FileWriteError('exists', `${file}: already exists (refusing to overwrite)`);
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
      throw new FileWriteError('unwritable', `${file}: cannot write, permission denied in ${dir}`);
    if (code === 'ENOSPC') throw new FileWriteError('unwritable', `${file}: cannot write, the disk is full`);
    throw new FileWriteError('unwritable', `${file}: cannot write (${(e as Error).message})`);
  } finally {
    await rm(tmp, { force: true }).catch(() => undefined);
    inFlight.delete(tmp);
  }
}
