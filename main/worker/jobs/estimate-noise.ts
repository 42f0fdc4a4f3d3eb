// The noise level of an image as the denoiser will read it: per pixel by the model's noise
// estimator when a model with one is named (the median of its map is reported), else the wavelet
// MAD estimate (one level for the photo). The same reading the denoise job makes (noise-map.ts).
import { noiseEstimatorFor } from '../../ml/inference/engine-models.js';
import { readNoise } from '../../ml/inference/noise-map.js';
import type { JobHandler } from './types.js';

const METHODS = {
  network: "the model's noise estimator (per pixel; the median is shown)",
  'wavelet-mad': 'wavelet MAD (Donoho–Johnstone, db2 diagonal subband)',
} as const;

export const estimateNoise: JobHandler<'estimate-noise'> = async (params, ctx) => {
  const image = await ctx.images.load(params.imageId);
  await ctx.checkpoint();
  const estimator = params.modelId ? await noiseEstimatorFor(ctx.model(params.modelId)) : null;
  const reading = await readNoise(image, estimator);
  return { sigma: reading.sigma, method: METHODS[reading.method], jpegQuality: reading.jpegQuality ?? null };
};
