// Write an image to a file on the host, or to a temporary file behind a download URL (web door).
import { randomUUID } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { FILE_EXTENSIONS, writeImage } from '../../imaging/codec.js';
import { safeFileName } from '../../files/file-name.js';
import type { JobHandler } from './types.js';

export const exportImage: JobHandler<'export'> = async (params, ctx) => {
  const image = await ctx.images.load(params.imageId);
  const { name } = await ctx.images.describe(params.imageId);
  ctx.progress({ fraction: 0.1, message: `encoding ${params.format.toUpperCase()}` });
  await ctx.checkpoint();
  const options = {
    format: params.format,
    bitDepth: params.bitDepth,
    quality: params.quality,
    metadata: params.metadata,
  };
  const dest = params.destination;
  if (dest.kind === 'path') {
    const file = await writeImage(image, path.resolve(dest.path), { ...options, onClash: dest.onClash });
    return { path: file, downloadUrl: null, fileName: path.basename(file), byteLength: (await stat(file)).size };
  }
  const stem = path.basename(name, path.extname(name));
  const fileName = safeFileName(dest.fileName ?? `${stem}-denoised.${FILE_EXTENSIONS[params.format]}`);
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
