// The images open in this session, as the worker announced them, and the files in the session
// folder that the doors serve: an image's 8-bit PNG preview and an export's downloads. The worker
// writes these files (worker/image-store.ts, worker/jobs/export*.ts); the registry answers which
// exist and where, and removes an image's files when it is released.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { ServiceError, type ImageInfo } from '../../common/contract/index.js';

export class ImageRegistry {
  private readonly images = new Map<string, ImageInfo>();

  constructor(private readonly sessionDir: string) {}

  has(imageId: string): boolean {
    return this.images.has(imageId);
  }

  /** The image's info; a ServiceError 'not-found' for an unknown id. */
  get(imageId: string): ImageInfo {
    const info = this.images.get(imageId);
    if (!info) throw new ServiceError('not-found', `no image with id '${imageId}'`);
    return info;
  }

  /** Images a job made (the worker's 'images' message). */
  add(images: readonly ImageInfo[]): void {
    for (const info of images) this.images.set(info.imageId, info);
  }

  /** The 8-bit PNG file behind `ImageInfo.url`, or null for an unknown id. */
  previewFile(imageId: string): string | null {
    return this.images.has(imageId) ? path.join(this.sessionDir, 'images', `${imageId}.png`) : null;
  }

  /** The file behind an export's download URL (`api/downloads/<folder>/<name>`), or null. */
  downloadFile(folderId: string, fileName: string): string | null {
    if (!/^[\w-]+$/.test(folderId) || fileName.includes('/') || fileName.includes('\\') || fileName.startsWith('.'))
      return null;
    return path.join(this.sessionDir, 'downloads', folderId, fileName);
  }

  /** Forgets the image; false when it was not known. Its files stay until `removeFiles`. */
  forget(imageId: string): boolean {
    return this.images.delete(imageId);
  }

  /** Removes a forgotten image's files from the session folder. */
  async removeFiles(imageId: string): Promise<void> {
    const base = path.join(this.sessionDir, 'images', imageId);
    await rm(`${base}.img`, { force: true });
    await rm(`${base}.png`, { force: true });
  }
}
