// Denoise an image in the store with an ONNX model, tile by tile (any photo size).
import { controlsOf, denoiseImage } from '../../ml/inference/denoise.js';
import { noiseEstimatorFor, onnxModel } from '../../ml/inference/engine-models.js';
import type { JobHandler } from './types.js';

export const denoise: JobHandler<'denoise'> = async (params, ctx) => {
  const image = await ctx.images.load(params.imageId);
  const { name } = await ctx.images.describe(params.imageId);
  const card = ctx.model(params.modelId);
  ctx.progress({ fraction: 0, message: 'loading the model' });
  const model = await onnxModel(card);
  await ctx.checkpoint();
  const result = await denoiseImage(image, model, {
    ...(params.sigma === 'auto' ? {} : { sigma: params.sigma }),
    ...controlsOf(params),
    estimator: params.sigma === 'auto' ? await noiseEstimatorFor(card) : null,
    ...(params.tile ? { tile: params.tile } : {}),
    ...ctx.tiling,
    onProgress: (done, total) =>
      ctx.progress({ fraction: done / total, step: done, total, message: `tile ${done} of ${total}` }),
  });
  await ctx.checkpoint();
  const sigmaNote = model.takesSigma ? `, σ ${result.sigma.toFixed(1)} ${result.sigmaSource}` : '';
  return ctx.saveImage(result.image, `${name} denoised (${card.id}${sigmaNote})`);
};
