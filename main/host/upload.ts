// Dropped files in the web door: the browser POSTs the raw bytes, the host streams them into a
// fresh folder under its upload directory (never holding a whole photo in memory) and answers with
// the path, which the page then opens like any host path. Over the size limit the upload is cut
// off with 413 and the partial file removed.
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { safeFileName } from '../common/file-name.js';

export class UploadTooLarge extends Error {
  constructor(limit: number) {
    super(`the file is larger than the upload limit of ${Math.round(limit / 1024 / 1024)} MB`);
  }
}

export async function receiveUpload(
  req: IncomingMessage,
  uploadDir: string,
  name: string,
  limit: number,
): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new UploadTooLarge(limit);
  const dir = path.join(uploadDir, randomUUID());
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, safeFileName(name));
  const out = createWriteStream(file, { flags: 'wx' });
  let received = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > limit) {
          req.unpipe(out);
          out.destroy();
          reject(new UploadTooLarge(limit));
        }
      });
      req.on('error', reject);
      req.on('aborted', () => reject(new Error('the upload was interrupted')));
      out.on('error', reject);
      out.on('finish', resolve);
      req.pipe(out);
    });
    return file;
  } catch (e) {
    out.destroy();
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}
