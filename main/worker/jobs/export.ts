// Write an image to a file on the host, or to a temporary file behind a download URL (web door).
import { randomUUID } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeImage } from '../../imaging/codec.js';
import { safeFileName } from '../../common/file-name.js';
import type { JobHandler } from './types.js';

const extensions = { png: 'png', jpeg: 'jpg', webp: 'webp', tiff: 'tif' } as const;

export const exportImage: JobHandler<'export'> = async (params, ctx) => {
  const image = await ctx.images.load(params.imageId);
  const { name } = await ctx.images.describe(params.imageId);
  ctx.progress({ fraction: 0.1, message: `encoding ${params.format.toUpperCase()}` });
  await ctx.checkpoint();
  const options = {
    format: params.format,
    bitDepth: params.bitDepth,
    quality: params.quality,
    keepMetadata: params.keepMetadata,
  };
  const dest = params.destination;
  if (dest.kind === 'path') {
    const file = path.resolve(dest.path);
    await writeImage(image, file, { ...options, overwrite: dest.overwrite });
    return { path: file, downloadUrl: null, fileName: path.basename(file), byteLength: (await stat(file)).size };
  }
  const stem = path.basename(name, path.extname(name));
  const fileName = safeFileName(dest.fileName ?? `${stem}-denoised.${extensions[params.format]}`);
  const folderId = randomUUID();
  const dir = path.join(ctx.config.sessionDir, 'downloads', folderId);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, fileName);
  await writeImage(image, file, options);
  return {
    path: file,
    downloadUrl: `api/downloads/${folderId}/${encodeURIComponent(fileName)}`,
    fileName,
    byteLength: (await stat(file)).size,
  };
};
