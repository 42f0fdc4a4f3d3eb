// Writing a file whose name may be taken, by the caller's choice: replace the existing file, keep
// both (the new file takes the first free numbered name), or cancel (an 'exists' error, which the
// app turns into a question). Keeping both never overwrites a name taken meanwhile: each candidate
// is written with writeFileAtomic's no-overwrite link, and a taken name just moves on to the next.

import path from 'node:path';
import { FileWriteError, writeFileAtomic } from './atomic-write.js';

export type ClashPolicy = 'replace' | 'keep-both' | 'cancel';

/** How many numbered names keep-both tries before giving up (a folder with 1000 copies is a mistake). */
const MAX_COPIES = 1000;

/** "photo.png" → "photo (2).png": the style file managers use. */
export function numberedPhotoName(file: string, n: number): string {
  const ext = path.extname(file);
  return `${file.slice(0, file.length - ext.length)} (${n})${ext}`;
}

/** "models/denoiser.onnx" → "models/denoiser-2.onnx": model names become ids, so no spaces. */
export function numberedModelName(file: string, n: number): string {
  const ext = path.extname(file);
  return `${file.slice(0, file.length - ext.length)}-${n}${ext}`;
}

/** Whether a write failed because the name is taken (and the policy said not to replace it). */
export function isNameTaken(e: unknown): e is FileWriteError {
  return e instanceof FileWriteError && e.code === 'exists';
}

/** Writes `data` atomically under `file` (or a numbered name, for keep-both); returns the path written. */
export async function writeFileOnClash(
  file: string,
  data: Uint8Array,
  policy: ClashPolicy,
  numbered: (file: string, n: number) => string = numberedPhotoName,
): Promise<string> {
  if (policy !== 'keep-both') {
    await writeFileAtomic(file, data, { overwrite: policy === 'replace' });
    return file;
  }
  for (let n = 1; n <= MAX_COPIES; n++) {
    const candidate = n === 1 ? file : numbered(file, n);
    try {
      await writeFileAtomic(candidate, data);
      return candidate;
    } catch (e) {
      if (!isNameTaken(e)) throw e;
    }
  }
  throw new FileWriteError(
    'exists',
    `${path.basename(file)}: ${MAX_COPIES} numbered copies exist already; choose another name`,
  );
}
