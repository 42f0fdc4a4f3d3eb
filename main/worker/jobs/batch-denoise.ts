// Denoise files and folders on the host into an output folder, keeping the folder structure.
// One bad file does not stop the batch: it is reported in the result. Each output is written
// atomically, so a cancelled batch leaves only complete files (those finished before the cancel).
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { planBatch } from '../../imaging/batch.js';
import { readImage, writeImage } from '../../imaging/codec.js';
import { controlsOf, denoiseImage } from '../../ml/inference/denoise.js';
import { ImagingError } from '../../../common/errors.js';
import { noiseEstimatorFor, onnxModel } from '../../ml/inference/engine-models.js';
import type { JobHandler } from './types.js';

export const batchDenoise: JobHandler<'batch-denoise'> = async (params, ctx) => {
  const plan = await planBatch(params.inputs, path.resolve(params.outDir), params.format);
  const card = ctx.model(params.modelId);
  const model = await onnxModel(card);
  // Asked to cancel on a clash: refuse the whole batch before any work if an output exists, so
  // that the app asks once for all of them (a file taken meanwhile still fails on its own).
  if (params.onClash === 'cancel') {
    const taken = [];
    for (const item of plan) if (await stat(item.output).catch(() => undefined)) taken.push(item);
    if (taken.length)
      throw new ImagingError(
        'exists',
        `${taken.length} of ${plan.length} output files exist already in the output folder (${path.basename(taken[0]!.output)}${taken.length > 1 ? '…' : ''})`,
      );
  }
  const files = [];
  for (const [i, item] of plan.entries()) {
    await ctx.checkpoint();
    ctx.progress({ fraction: i / plan.length, step: i, total: plan.length, message: item.rel });
    const started = Date.now();
    try {
      const image = await readImage(item.input, ctx.readOptions);
      const { image: clean } = await denoiseImage(image, model, {
        ...(params.sigma === 'auto' ? {} : { sigma: params.sigma }),
        ...controlsOf(params),
        estimator: params.sigma === 'auto' ? await noiseEstimatorFor(card) : null,
        ...(params.tile ? { tile: params.tile } : {}),
        ...ctx.tiling,
        inPlace: true, // read for this file alone, and written out next
      });
      await mkdir(path.dirname(item.output), { recursive: true });
      const output = await writeImage(clean, item.output, {
        format: item.format,
        onClash: params.onClash,
        metadata: params.metadata,
      });
      files.push({ input: item.input, output, ok: true, seconds: (Date.now() - started) / 1000 });
    } catch (e) {
      if (ctx.control.cancelled) throw e;
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
