// Denoising one decoded photo with any TileRunner: noise level from the caller or estimated, scaled
// by the strength, colour through the tiled runner, then the photographer's controls (luminance,
// colour, detail: imaging/denoise-controls.ts); alpha and metadata carried over untouched.

import { withData, type Image } from '../../imaging/image.js';
import { estimateNoiseSigma } from '../../imaging/noise-estimate.js';
import { applyControls, checkControls, isNeutral, type DenoiseControls } from '../../imaging/denoise-controls.js';
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
  /** Noise σ on the 0–255 scale: the one given, else the blind estimate (before the strength). */
  sigma: number;
  sigmaSource: 'given' | 'estimated';
}

export interface DenoiseOptions extends Omit<TilingOptions, 'sigma'> {
  /** Noise σ, 0–255; omitted: estimated from the photo. */
  sigma?: number;
  /**
   * Multiplies the noise level the model is told (1 = as given or estimated; 0 = "no noise", the
   * photo nearly untouched; 2 = treat it as twice as noisy). Only models with a noise-level input.
   */
  strength?: number;
  /** Luminance, colour and detail, applied to the model's output (defaults: the output as is). */
  controls?: DenoiseControls;
}

export async function denoiseImage(image: Image, model: DenoiseModel, opts: DenoiseOptions = {}): Promise<DenoiseResult> {
  const { strength = 1, controls = {}, sigma: given, ...rest } = opts;
  checkControls({ strength, ...controls });
  const sigma = given ?? estimateNoiseSigma(image);
  const sigmaSource = given === undefined ? 'estimated' : 'given';
  const tiling: TilingOptions = { ...rest, align: model.sizeMultiple ?? 1 };
  if (model.takesSigma) tiling.sigma = sigma * strength;
  const denoised = await denoiseTiled(image, model.runner, tiling);
  const data = isNeutral(controls)
    ? denoised
    : applyControls(image.data, denoised, image.channels, image.width, image.height, controls);
  return { image: withData(image, data), sigma, sigmaSource };
}

/** The strength and controls of a request (the contract's fields) as denoise options. */
export function controlsOf(p: {
  strength: number;
  luminance: number;
  chroma: number;
  detail: number;
}): Pick<DenoiseOptions, 'strength' | 'controls'> {
  return { strength: p.strength, controls: { luminance: p.luminance, chroma: p.chroma, detail: p.detail } };
}
