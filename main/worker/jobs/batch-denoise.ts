// Denoise files and folders on the host into an output folder, keeping the folder structure.
// One bad file does not stop the batch: it is reported in the result. Each output is written
// atomically, so a cancelled batch leaves only complete files (those finished before the cancel).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { planBatch } from '../../imaging/batch.js';
import { readImage, writeImage } from '../../imaging/codec.js';
import { denoiseImage } from '../../imaging/denoise.js';
import { onnxModel } from '../model-cache.js';
import type { JobHandler } from './types.js';

export const batchDenoise: JobHandler<'batch-denoise'> = async (params, ctx) => {
  const plan = await planBatch(params.inputs, path.resolve(params.outDir), params.format);
  const card = ctx.model(params.modelId);
  const model = await onnxModel(card.file, card.id);
  const files = [];
  for (const [i, item] of plan.entries()) {
    await ctx.checkpoint();
    ctx.progress({ fraction: i / plan.length, step: i, total: plan.length, message: item.rel });
    const started = Date.now();
    try {
      const image = await readImage(item.input, ctx.readOptions);
      const { image: clean } = await denoiseImage(image, model, {
        ...(params.sigma === 'auto' ? {} : { sigma: params.sigma }),
        ...(params.tile ? { tile: params.tile } : {}),
        ...ctx.tiling,
      });
      await mkdir(path.dirname(item.output), { recursive: true });
      await writeImage(clean, item.output, { format: item.format, overwrite: params.overwrite });
      files.push({ input: item.input, output: item.output, ok: true, seconds: (Date.now() - started) / 1000 });
    } catch (e) {
      if (ctx.isCancelled) throw e;
      files.push({
        input: item.input,
        output: null,
        ok: false,
        error: (e as Error).message,
        seconds: (Date.now() - started) / 1000,
      });
    }
  }
  ctx.progress({ fraction: 1, step: plan.length, total: plan.length, message: 'done' });
  return { files, failed: files.filter((f) => !f.ok).length };
};
