// Decode an image file on the host into the image store.
import path from 'node:path';
import { readImage } from '../../imaging/codec.js';
import type { JobHandler } from './types.js';

export const openImage: JobHandler<'open-image'> = async (params, ctx) => {
  ctx.progress({ fraction: 0, message: `opening ${path.basename(params.path)}` });
  const image = await readImage(params.path, ctx.readOptions);
  await ctx.checkpoint();
  return ctx.saveImage(image, path.basename(params.path), { sourcePath: path.resolve(params.path) });
};
