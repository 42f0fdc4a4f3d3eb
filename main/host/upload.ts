// Dropped files in the web door: the browser POSTs the raw bytes, the host streams them into a
// fresh folder under its upload directory (never holding a whole photo in memory) and answers with
// the path, which the page then opens like any host path. Over the size limit the upload is cut
// off with 413 and the partial file removed. The uploads kept on disk at once are capped by a quota
// (bytes and files) so a page cannot fill the disk; the folder goes when the host closes.
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { safeFileName } from '../files/file-name.js';

export class UploadTooLarge extends Error {
  constructor(limit: number) {
    super(`the file is larger than the upload limit of ${Math.round(limit / 1024 / 1024)} MB`);
  }
}

export interface UploadQuota {
  /** Most bytes of uploads kept on disk at once. */
  maxBytes: number;
  /** Most uploaded files kept at once. */
  maxFiles: number;
}

export const defaultUploadQuota: UploadQuota = { maxBytes: 4 * 1024 ** 3, maxFiles: 500 };

export class UploadQuotaExceeded extends Error {
  constructor(quota: UploadQuota) {
    super(
      `the uploads kept by Denoise Lab would pass its quota of ${Math.round(quota.maxBytes / 1024 / 1024)} MB ` +
        `or ${quota.maxFiles} files: restart the web host to clear them, or start it with --allow <folder> ` +
        'and open the photos from there',
    );
  }
}

/** The host's upload folder and what it holds, within the quota. */
export class UploadStore {
  readonly quota: UploadQuota;
  private bytes = 0;
  private files = 0;
  /** Finished uploads and their sizes. */
  private readonly kept = new Map<string, number>();

  constructor(
    readonly dir: string,
    quota: Partial<UploadQuota> = {},
  ) {
    this.quota = { ...defaultUploadQuota, ...quota };
  }

  /** Bytes and files kept (or being received) now. */
  get usage(): { bytes: number; files: number } {
    return { bytes: this.bytes, files: this.files };
  }

  async receive(req: IncomingMessage, name: string, limit: number): Promise<string> {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) throw new UploadTooLarge(limit);
    if (
      this.files + 1 > this.quota.maxFiles ||
      (Number.isFinite(declared) && this.bytes + declared > this.quota.maxBytes)
    )
      throw new UploadQuotaExceeded(this.quota);
    this.files += 1;
    let counted = 0;
    try {
      const file = await receiveUpload(req, this.dir, name, limit, (n) => {
        counted += n;
        this.bytes += n;
        if (this.bytes > this.quota.maxBytes) throw new UploadQuotaExceeded(this.quota);
      });
      this.kept.set(file, counted);
      return file;
    } catch (e) {
      this.files -= 1;
      this.bytes -= counted;
      throw e;
    }
  }

  /**
   * Remove an upload (when the image opened from it is released: the image store keeps its own
   * snapshot) and give its bytes back to the quota. Anything not an upload of this store is ignored.
   */
  async release(file: string | null): Promise<void> {
    const size = file === null ? undefined : this.kept.get(file);
    if (size === undefined) return;
    this.kept.delete(file!);
    this.bytes -= size;
    this.files -= 1;
    await rm(path.dirname(file!), { recursive: true, force: true });
  }
}

async function receiveUpload(
  req: IncomingMessage,
  uploadDir: string,
  name: string,
  limit: number,
  onBytes: (n: number) => void,
): Promise<string> {
  const dir = path.join(uploadDir, randomUUID());
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, safeFileName(name));
  const out = createWriteStream(file, { flags: 'wx' });
  let received = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
        try {
          if (received > limit) throw new UploadTooLarge(limit);
          onBytes(chunk.length);
        } catch (e) {
          req.unpipe(out);
          out.destroy();
          reject(e as Error);
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
