// The imaging API in one place: decode/encode, noise, metrics, noise estimation, tiling.
export type { Image, ImageMeta } from './image.js';
export { createImage, withData, luma, plane, reflectIndex } from './image.js';
export { ImagingError, type ImagingErrorCode } from '../../common/errors.js';
export {
  readImage,
  decodeImage,
  writeImage,
  encodeImage,
  formatFromPath,
  DEFAULT_PIXEL_LIMIT,
  type ReadOptions,
  type WriteOptions,
  type OutputFormat,
} from './codec.js';
export { encodeFloatTiff } from './float-tiff.js';
export { mse, psnr, ssim, ssimPlane, compareImages, type ImageMetrics, type SsimResult } from './metrics.js';
export { estimateNoiseSigma, estimateSigmaPlane } from './noise-estimate.js';
export { denoiseTiled, chooseTileSize, DEFAULT_OVERLAP, type TileRunner, type TilingOptions } from './tiling.js';
export { planBatch, type BatchItem } from './batch.js';
