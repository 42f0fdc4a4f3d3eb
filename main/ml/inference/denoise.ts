// Denoising one decoded photo with any TileRunner: the noise level from the caller, or read from the
// photo (per pixel by the model's noise estimator, else one level by the wavelet MAD estimator:
// noise-map.ts), scaled by the strength; colour through the tiled runner; then the photographer's
// controls (luminance, colour, detail: imaging/denoise-controls.ts). Alpha and metadata carried
// over untouched.

import { withData, type Image } from '../../imaging/image.js';
import { readNoise, readingOfMap, type NoiseEstimator } from './noise-map.js';
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
  /** How the level was read when estimated: per pixel by the model's estimator, or the MAD estimate. */
  estimator?: 'network' | 'wavelet-mad';
  /** The estimator's per-pixel map, when it read one (before the strength). */
  noiseMap?: Float32Array;
  /** The JPEG quality the estimated level allowed for, when it did. */
  jpegQuality?: number;
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
  /** The model's noise estimator, used when no sigma is given (null: the MAD estimate). */
  estimator?: NoiseEstimator | null;
  /**
   * A per-pixel map the estimator already read for this image (a preview's region cut from the
   * whole photo's map, so that the preview is told what the whole-photo run is told).
   */
  noiseMap?: Float32Array;
}

export async function denoiseImage(
  image: Image,
  model: DenoiseModel,
  opts: DenoiseOptions = {},
): Promise<DenoiseResult> {
  const { strength = 1, controls = {}, sigma: given, estimator = null, noiseMap, inPlace, ...rest } = opts;
  checkControls({ strength, ...controls });
  // The controls blend the model's output with the photo, so they need its pixels after the model.
  const tiling: TilingOptions = {
    ...rest,
    align: model.sizeMultiple ?? 1,
    inPlace: inPlace === true && isNeutral(controls),
  };
  let result: Omit<DenoiseResult, 'image'>;
  if (given !== undefined) {
    result = { sigma: given, sigmaSource: 'given' };
    tiling.sigma = given * strength;
  } else {
    // Only a model that takes a level needs the network's map; the others get the cheap estimate.
    const reading =
      noiseMap && model.takesSigma
        ? readingOfMap(noiseMap)
        : await readNoise(image, model.takesSigma ? estimator : null);
    result = {
      sigma: reading.sigma,
      sigmaSource: 'estimated',
      estimator: reading.method,
      ...(reading.map ? { noiseMap: reading.map } : {}),
      ...(reading.jpegQuality !== undefined ? { jpegQuality: reading.jpegQuality } : {}),
    };
    // Read only from here on: at strength 1 the map itself, not a copy (96 MB on a 24-MP photo).
    if (reading.map) tiling.sigmaMap = strength === 1 ? reading.map : reading.map.map((v) => v * strength);
    else tiling.sigma = reading.sigma * strength;
  }
  if (!model.takesSigma) {
    delete tiling.sigma;
    delete tiling.sigmaMap;
  }
  const denoised = await denoiseTiled(image, model.runner, tiling);
  const data = isNeutral(controls)
    ? denoised
    : applyControls(image.data, denoised, image.channels, image.width, image.height, controls);
  return { image: withData(image, data), ...result };
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
