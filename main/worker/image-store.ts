// The worker's image store. Every image a job opens or makes is written as a snapshot file in the
// session folder (`images/<id>.img`: full float32 precision, alpha and metadata) plus an 8-bit PNG
// rendering (`images/<id>.png`) that the doors serve at `api/images/<id>.png`. Snapshots make the
// worker stateless: a fresh worker after a crash still finds every image. A small in-memory cache
// keeps the recently used images so chained jobs (noise → denoise → evaluate) do not re-read them.
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { encodeImage } from '../imaging/codec.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { cropImage, type Image, type Rect } from '../imaging/image.js';
import { ServiceError, type ImageInfo } from '../../common/contract/index.js';

interface SnapshotHeader {
  width: number;
  height: number;
  channels: 1 | 3;
  bitDepth: 8 | 16;
  /** Values may lie outside [0, 1] (unclipped noise): shown as bit depth 32. */
  unclipped: boolean;
  hasAlpha: boolean;
  name: string;
  sourcePath: string | null;
  meta: { format: string; source?: string; exif?: string; icc?: string; jpegQuality?: number };
}

export function imageUrl(imageId: string): string {
  return `api/images/${imageId}.png`;
}

export class ImageStore {
  private readonly cache = new Map<string, Image>();
  private cachedSamples = 0;

  constructor(
    private readonly dir: string,
    /**
     * Float samples to keep in memory (default 16 M = 64 MB: the few images of a chain such as
     * noise → denoise → evaluate at photo-preview sizes). Kept small on purpose: memory freed by
     * the cache is not handed back to the system by every allocator (glibc keeps it), so whatever
     * the cache reaches stays in the process's footprint; a miss costs one read of a local file.
     */
    private readonly cacheLimit = 16 * 1024 * 1024,
  ) {}

  snapshotPath(imageId: string): string {
    return path.join(this.dir, `${imageId}.img`);
  }

  previewPath(imageId: string): string {
    return path.join(this.dir, `${imageId}.png`);
  }

  async load(imageId: string): Promise<Image> {
    if (!/^[\w-]+$/.test(imageId)) throw new ServiceError('bad-request', `invalid image id '${imageId}'`);
    const hit = this.cache.get(imageId);
    if (hit) {
      // Re-insert: Map order is the LRU order.
      this.cache.delete(imageId);
      this.cache.set(imageId, hit);
      return hit;
    }
    let bytes: Buffer;
    try {
      bytes = await readFile(this.snapshotPath(imageId));
    } catch {
      throw new ServiceError('not-found', `no image with id '${imageId}' (it was released or never opened)`);
    }
    const image = decodeSnapshot(bytes);
    this.remember(imageId, image);
    return image;
  }

  /**
   * A rectangle of an image, read from its snapshot row by row when the whole image is not in
   * memory: a live preview of a 1-MP region of a 24-MP photo reads about 1/24 of the file instead
   * of decoding it all (the photo is too large for the cache, so every preview would).
   */
  async loadRegion(imageId: string, r: Rect): Promise<Image> {
    const hit = this.cache.get(imageId);
    if (hit) return cropImage(hit, r);
    const file = await this.openSnapshot(imageId);
    try {
      const { header: h, dataOffset } = await readHeaderFrom(file);
      if (r.x < 0 || r.y < 0 || r.width < 1 || r.height < 1 || r.x + r.width > h.width || r.y + r.height > h.height)
        throw new RangeError(`the rectangle ${r.width}×${r.height} at ${r.x},${r.y} is not inside the image`);
      const planes = async (first: number, count: number) => {
        const out = new Float32Array(count * r.width * r.height);
        const row = Buffer.from(out.buffer);
        for (let c = 0; c < count; c++)
          for (let j = 0; j < r.height; j++) {
            const at = dataOffset + (((first + c) * h.height + r.y + j) * h.width + r.x) * 4;
            const to = (c * r.height + j) * r.width * 4;
            await file.read(row, to, r.width * 4, at);
          }
        return out;
      };
      const image: Image = {
        width: r.width,
        height: r.height,
        channels: h.channels,
        bitDepth: h.bitDepth,
        data: await planes(0, h.channels),
        meta: metaOf(h),
      };
      if (h.hasAlpha) image.alpha = await planes(h.channels, 1);
      return image;
    } finally {
      await file.close();
    }
  }

  /** An image's size, from the cache or its snapshot's header alone. */
  async size(imageId: string): Promise<{ width: number; height: number }> {
    const hit = this.cache.get(imageId);
    if (hit) return { width: hit.width, height: hit.height };
    const file = await this.openSnapshot(imageId);
    try {
      const { header } = await readHeaderFrom(file);
      return { width: header.width, height: header.height };
    } finally {
      await file.close();
    }
  }

  private async openSnapshot(imageId: string): Promise<FileHandle> {
    if (!/^[\w-]+$/.test(imageId)) throw new ServiceError('bad-request', `invalid image id '${imageId}'`);
    return open(this.snapshotPath(imageId), 'r').catch(() => {
      throw new ServiceError('not-found', `no image with id '${imageId}' (it was released or never opened)`);
    });
  }

  /** Store an image; returns what crosses the boundary. */
  async save(
    image: Image,
    name: string,
    opts: { sourcePath?: string | null; unclipped?: boolean } = {},
  ): Promise<ImageInfo> {
    const imageId = randomUUID();
    await mkdir(this.dir, { recursive: true });
    const header: SnapshotHeader = {
      width: image.width,
      height: image.height,
      channels: image.channels,
      bitDepth: image.bitDepth,
      unclipped: opts.unclipped ?? false,
      hasAlpha: image.alpha !== undefined,
      name,
      sourcePath: opts.sourcePath ?? null,
      meta: {
        format: image.meta.format,
        ...(image.meta.source ? { source: image.meta.source } : {}),
        ...(image.meta.exif ? { exif: image.meta.exif.toString('base64') } : {}),
        ...(image.meta.icc ? { icc: image.meta.icc.toString('base64') } : {}),
        ...(image.meta.jpegQuality ? { jpegQuality: image.meta.jpegQuality } : {}),
      },
    };
    const preview = await encodeImage(image, 'png', { bitDepth: 8, metadata: 'strip' });
    await writeFileAtomic(this.snapshotPath(imageId), encodeSnapshot(header, image));
    await writeFileAtomic(this.previewPath(imageId), preview);
    this.remember(imageId, image);
    return {
      imageId,
      url: imageUrl(imageId),
      width: image.width,
      height: image.height,
      channels: image.channels,
      hasAlpha: header.hasAlpha,
      bitDepth: header.unclipped ? 32 : image.bitDepth,
      name,
      sourcePath: header.sourcePath,
    };
  }

  /** The name and source path recorded with an image. */
  async describe(imageId: string): Promise<{ name: string; sourcePath: string | null }> {
    // The header alone: reading the whole snapshot of a 24-MP photo for its name took longer than a preview.
    const file = await this.openSnapshot(imageId);
    try {
      const { header: h } = await readHeaderFrom(file);
      return { name: h.name, sourcePath: h.sourcePath };
    } finally {
      await file.close();
    }
  }

  /** Drops a released image from the memory cache (its files are the service's to remove). */
  forget(imageId: string): void {
    const image = this.cache.get(imageId);
    if (!image) return;
    this.cache.delete(imageId);
    this.cachedSamples -= samplesOf(image);
  }

  private remember(imageId: string, image: Image): void {
    const samples = samplesOf(image);
    if (samples > this.cacheLimit) return;
    this.cache.set(imageId, image);
    this.cachedSamples += samples;
    for (const [id, old] of this.cache) {
      if (this.cachedSamples <= this.cacheLimit) break;
      this.cache.delete(id);
      this.cachedSamples -= samplesOf(old);
    }
  }
}

async function readHeaderFrom(file: FileHandle): Promise<{ header: SnapshotHeader; dataOffset: number }> {
  const length = Buffer.alloc(4);
  await file.read(length, 0, 4, 0);
  const len = length.readUInt32LE(0);
  const json = Buffer.alloc(len);
  await file.read(json, 0, len, 4);
  const headerBytes = 4 + len;
  return {
    header: JSON.parse(json.toString('utf8')) as SnapshotHeader,
    dataOffset: headerBytes + ((4 - (headerBytes % 4)) % 4),
  };
}

function metaOf(h: SnapshotHeader): Image['meta'] {
  return {
    format: h.meta.format,
    ...(h.meta.source ? { source: h.meta.source } : {}),
    ...(h.meta.exif ? { exif: Buffer.from(h.meta.exif, 'base64') } : {}),
    ...(h.meta.icc ? { icc: Buffer.from(h.meta.icc, 'base64') } : {}),
    ...(typeof h.meta.jpegQuality === 'number' ? { jpegQuality: h.meta.jpegQuality } : {}),
  };
}

function samplesOf(image: Image): number {
  return image.data.length + (image.alpha?.length ?? 0);
}

// Snapshot layout: u32 header length (LE) | JSON header | padding to 4 bytes | colour f32 | alpha f32.
function encodeSnapshot(header: SnapshotHeader, image: Image): Uint8Array {
  const json = Buffer.from(JSON.stringify(header));
  const headerBytes = 4 + json.length;
  const pad = (4 - (headerBytes % 4)) % 4;
  const out = Buffer.alloc(headerBytes + pad + image.data.byteLength + (image.alpha?.byteLength ?? 0));
  out.writeUInt32LE(json.length, 0);
  json.copy(out, 4);
  let off = headerBytes + pad;
  Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength).copy(out, off);
  off += image.data.byteLength;
  if (image.alpha) Buffer.from(image.alpha.buffer, image.alpha.byteOffset, image.alpha.byteLength).copy(out, off);
  return out;
}

function readHeader(bytes: Buffer): { header: SnapshotHeader; dataOffset: number } {
  const len = bytes.readUInt32LE(0);
  const header = JSON.parse(bytes.subarray(4, 4 + len).toString('utf8')) as SnapshotHeader;
  const headerBytes = 4 + len;
  return { header, dataOffset: headerBytes + ((4 - (headerBytes % 4)) % 4) };
}

function decodeSnapshot(bytes: Buffer): Image {
  const { header: h, dataOffset } = readHeader(bytes);
  const n = h.width * h.height;
  // Copy into fresh, aligned arrays (the file buffer may not be 4-byte aligned).
  const floats = (offset: number, count: number) =>
    new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + count * 4));
  const image: Image = {
    width: h.width,
    height: h.height,
    channels: h.channels,
    bitDepth: h.bitDepth,
    data: floats(dataOffset, n * h.channels),
    meta: metaOf(h),
  };
  if (h.hasAlpha) image.alpha = floats(dataOffset + n * h.channels * 4, n);
  return image;
}
