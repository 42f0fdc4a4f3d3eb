// Blind estimate of the Gaussian noise level of an image (wavelet MAD estimator, see imaging).
import { estimateNoiseSigma } from '../../imaging/noise-estimate.js';
import type { JobHandler } from './types.js';

export const estimateNoise: JobHandler<'estimate-noise'> = async (params, ctx) => {
  const image = await ctx.images.load(params.imageId);
  await ctx.checkpoint();
  return { sigma: estimateNoiseSigma(image), method: 'wavelet MAD (Donoho–Johnstone, db2 diagonal subband)' };
};
