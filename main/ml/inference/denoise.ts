// Denoising one decoded photo with any TileRunner: noise level from the caller or estimated,
// colour through the tiled runner, alpha and metadata carried over untouched.

import { withData, type Image } from '../../imaging/image.js';
import { estimateNoiseSigma } from '../../imaging/noise-estimate.js';
import { denoiseTiled, type TileRunner, type TilingOptions } from '../../imaging/tiling.js';

export interface DenoiseModel {
  runner: TileRunner;
  /** Whether the model takes a noise level (then one is always passed, given or estimated). */
  takesSigma: boolean;
  /** H and W multiple the model works on inside (tiles are aligned to it); default 1. */
  sizeMultiple?: number;
}

export interface DenoiseResult {
  image: Image;
  /** Noise σ on the 0–255 scale: the one given, else the blind estimate. */
  sigma: number;
  sigmaSource: 'given' | 'estimated';
}

export async function denoiseImage(
  image: Image,
  model: DenoiseModel,
  opts: Omit<TilingOptions, 'sigma'> & { sigma?: number } = {},
): Promise<DenoiseResult> {
  const sigma = opts.sigma ?? estimateNoiseSigma(image);
  const sigmaSource = opts.sigma === undefined ? 'estimated' : 'given';
  const tiling: TilingOptions = { ...opts, align: model.sizeMultiple ?? 1 };
  if (model.takesSigma) tiling.sigma = sigma;
  else delete tiling.sigma;
  const data = await denoiseTiled(image, model.runner, tiling);
  return { image: withData(image, data), sigma, sigmaSource };
}
