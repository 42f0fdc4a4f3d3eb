// Denoise an image in the store with an ONNX model, tile by tile (any photo size); or only a region
// of it, for the Denoise workspace's live preview of what the viewer shows.
import { ImagingError } from '../../../common/errors.js';
import type { Region } from '../../../common/contract/index.js';
import { cropImage, cutPlanes, type Image } from '../../imaging/image.js';
import { estimateNoiseSigma } from '../../imaging/noise-estimate.js';
import { DEFAULT_OVERLAP } from '../../imaging/tiling.js';
import { controlsOf, denoiseImage } from '../../ml/inference/denoise.js';
import { noiseEstimatorFor, onnxModel } from '../../ml/inference/engine-models.js';
import type { NoiseEstimator } from '../../ml/inference/noise-map.js';
import type { JobHandler } from './types.js';

/**
 * Context around a region: as much as the tiler gives every tile, so that the region's pixels see
 * the same neighbours as in a whole-photo run (the estimator's map, smoothed over ±8 px, too).
 */
const REGION_MARGIN = DEFAULT_OVERLAP;

/**
 * The whole-photo MAD level of recent images (images in the store never change): a preview needs
 * it, and reading it again costs seconds on a 24 MP photo, longer than the preview itself.
 */
const madLevels = new Map<string, number>();
const MAD_LEVELS_KEPT = 64;
function rememberMadLevel(imageId: string, sigma: number): void {
  madLevels.delete(imageId);
  madLevels.set(imageId, sigma);
  if (madLevels.size > MAD_LEVELS_KEPT) madLevels.delete(madLevels.keys().next().value!);
}
function madLevelOf(imageId: string, image: Image): number {
  const known = madLevels.get(imageId) ?? estimateNoiseSigma(image);
  rememberMadLevel(imageId, known);
  return known;
}

/**
 * The estimator's map of the whole photo, for previews of its regions (a map is read from the
 * whole photo: the noise level function needs every brightness). Two kept: a map is 4 bytes a pixel.
 */
const fullMaps = new Map<string, { estimator: NoiseEstimator; map: Float32Array }>();
function rememberMap(key: string, estimator: NoiseEstimator, map: Float32Array): void {
  fullMaps.delete(key);
  fullMaps.set(key, { estimator, map });
  if (fullMaps.size > 2) fullMaps.delete(fullMaps.keys().next().value!);
}
/** The map read for this photo by this very estimator (one reloaded from a changed file reads anew). */
function knownMap(key: string, estimator: NoiseEstimator): Float32Array | undefined {
  const hit = fullMaps.get(key);
  return hit?.estimator === estimator ? hit.map : undefined;
}

export const denoise: JobHandler<'denoise'> = async (params, ctx) => {
  const { name } = await ctx.images.describe(params.imageId);
  const size = await ctx.images.size(params.imageId);
  const region = params.region ? checkRegion(params.region, size) : null;
  const card = ctx.model(params.modelId);
  ctx.progress({ fraction: 0, message: 'loading the model' });
  const model = await onnxModel(card);
  await ctx.checkpoint();
  // The blind level is read from the whole photo, not from the crop, so that a preview is told
  // what the whole-photo run is told: the MAD estimate (one level) or the estimator's map (cut to
  // the region; its noise level function needs every brightness of the photo).
  const estimator = params.sigma === 'auto' && model.takesSigma ? await noiseEstimatorFor(card) : null;
  const mapKey = `${params.imageId}|${card.file}`;
  // A map already read for this photo serves again (a whole-photo run after its previews, too).
  let noiseMap = estimator ? knownMap(mapKey, estimator) : undefined;
  const blindLevelKnown = estimator ? noiseMap !== undefined : madLevels.has(params.imageId);
  // A region is denoised inside a crop with a margin of context, then the margin is cut away. Once
  // the photo's blind level is known, a preview reads only that crop, not the whole photo.
  const context = region ? withMargin(region, size, REGION_MARGIN) : null;
  const needsWhole = !context || (params.sigma === 'auto' && model.takesSigma && !blindLevelKnown);
  const full = needsWhole ? await ctx.images.load(params.imageId) : null;
  const image = context
    ? full
      ? cropImage(full, context)
      : await ctx.images.loadRegion(params.imageId, context)
    : full!;
  if (region && context && estimator) {
    if (!noiseMap) {
      noiseMap = await estimator.map(full!);
      rememberMap(mapKey, estimator, noiseMap);
    }
    noiseMap = cutPlanes(noiseMap, 1, size.width, size.height, context);
  }
  const sigma =
    params.sigma === 'auto' && region && model.takesSigma && !estimator
      ? madLevelOf(params.imageId, full!) // read whole above unless its level was known
      : params.sigma;
  const result = await denoiseImage(image, model, {
    ...(sigma === 'auto' ? {} : { sigma }),
    ...controlsOf(params),
    estimator,
    ...(noiseMap ? { noiseMap } : {}),
    ...(params.tile ? { tile: params.tile } : {}),
    ...ctx.tiling,
    onProgress: (done, total) =>
      ctx.progress({ fraction: done / total, step: done, total, message: `tile ${done} of ${total}` }),
  });
  await ctx.checkpoint();
  if (!region && result.estimator === 'wavelet-mad') rememberMadLevel(params.imageId, result.sigma);
  if (!region && estimator && result.noiseMap) rememberMap(mapKey, estimator, result.noiseMap);
  const sigmaNote = model.takesSigma
    ? `, σ ${result.sigma.toFixed(1)} ${params.sigma === 'auto' ? 'estimated' : 'given'}`
    : '';
  if (!region || !context) return ctx.saveImage(result.image, `${name} denoised (${card.id}${sigmaNote})`);
  const out = cropImage(result.image, { ...region, x: region.x - context.x, y: region.y - context.y });
  const where = `${region.width}×${region.height} at ${region.x},${region.y}`;
  return ctx.saveImage(out, `${name} denoised preview of ${where} (${card.id}${sigmaNote})`);
};

/** The region, if it lies inside the image (the contract checks its shape; only here is the size known). */
function checkRegion(r: Region, image: { width: number; height: number }): Region {
  if (r.x + r.width > image.width || r.y + r.height > image.height)
    throw new ImagingError(
      'bad-option',
      `the region ${r.width}×${r.height} at ${r.x},${r.y} reaches outside the ${image.width}×${image.height} photo`,
    );
  return r;
}

/** The region grown by `margin` on every side, within the image. */
function withMargin(r: Region, image: { width: number; height: number }, margin: number): Region {
  const x = Math.max(0, r.x - margin);
  const y = Math.max(0, r.y - margin);
  return {
    x,
    y,
    width: Math.min(image.width, r.x + r.width + margin) - x,
    height: Math.min(image.height, r.y + r.height + margin) - y,
  };
}
