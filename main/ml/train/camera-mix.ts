// The camera-mix training noise: what a model for real photos is trained on (issue 13). Each
// sample of a batch is, independently:
//   60 %  camera-pipeline noise (imaging/camera: a random camera from sampleCameraParams, so every
//         noise level, Bayer phase, demosaicker, colour matrix mix, sharpening and chroma NR the
//         simulator knows; about half of them also JPEG at quality 60–98, as the camera drew it).
//         Target: the same pipeline without noise (demosaicking alone changes a photo's fine
//         detail, which a denoiser must not learn to invent); map: the simulator's per-pixel σ.
//   30 %  the Gaussian / Poisson–Gaussian draw of 'poisson-gaussian' training (batches.ts), so
//         that `--sigma S` keeps today's AWGN quality.
//   10 %  clean (map 0), half of them JPEG-compressed at quality 60–98 with the compressed photo
//         as its own target: a clean JPEG is what most clean photos are, and the model should
//         leave it alone (an estimator should not read block edges as noise).
// Everything draws from the batch's Rng, in a fixed order, so a run stays a function of its seed.

import type { Rng } from '../../../common/rng.js';
import type { CameraMixSpec } from '../../../common/noise-spec.js';
import { cutPlanes, reflectPlanes } from '../../imaging/image.js';
import type { Image } from '../../imaging/image.js';
import { blurRadius } from '../../imaging/camera/filters.js';
import { type CameraPipeline, levelMap, sampleCameraParams, simulateCameraNoise } from '../../imaging/camera/index.js';

export type { CameraMixSpec };

/** Fractions of the mix (the rest is clean). */
export const CAMERA_MIX = { camera: 0.6, classic: 0.3, clean: 0.1 } as const;

/** Which part of the mix a sample is drawn from (drawn first, one uniform per sample). */
export type MixKind = 'camera' | 'classic' | 'clean';

export function drawMixKind(rng: Rng): MixKind {
  const u = rng.uniform();
  return u < CAMERA_MIX.camera ? 'camera' : u < CAMERA_MIX.camera + CAMERA_MIX.classic ? 'classic' : 'clean';
}

/** JPEG quality of a clean-but-compressed sample: the camera's range, 60–98 (params.ts). */
export function drawJpegQuality(rng: Rng): number {
  return 60 + rng.int(39);
}

/** A JPEG round trip still to do (sharp is asynchronous; see batches.ts, compressPending). */
export interface PendingJpeg {
  /** Sample index in the batch. */
  sample: number;
  quality: number;
  /** The 8-bit photo to compress: the sample with `margin` pixels more on every side. */
  image: Image;
  margin: number;
  /** The compressed photo is also the target (clean JPEG samples of a denoiser). */
  target: boolean;
}

export interface CameraSample {
  /** The camera's output (before any JPEG), planar 3×H×W. */
  noisy: Float32Array;
  /** The same pipeline without noise: the target. */
  clean: Float32Array;
  /** σ/255 per pixel, H×W. */
  level: Float32Array;
  pipeline: CameraPipeline;
  /** The padded noisy photo and its margin, for the JPEG step when the camera has one. */
  padded: { image: Image; margin: number };
}

/**
 * How far the simulator's processing reaches from a pixel: demosaicking 2 samples, each enabled
 * blur its radius; rounded up to even so the crop keeps the Bayer phase of the pipeline.
 */
export function cameraMargin(p: CameraPipeline): number {
  const reach =
    2 +
    (p.chromaDenoise.strength > 0 ? blurRadius(p.chromaDenoise.sigma) : 0) +
    (p.sharpen.amount > 0 ? blurRadius(p.sharpen.sigma) : 0);
  return reach + (reach & 1);
}

/** Planar C×H×W data with `m` mirrored pixels added on every side (half-sample reflection). */
export function reflectPad(
  data: Float32Array,
  channels: number,
  height: number,
  width: number,
  m: number,
): Float32Array {
  return reflectPlanes(data, channels, width, height, { x: -m, y: -m, width: width + 2 * m, height: height + 2 * m });
}

/** The centre height×width of planar C×(height+2m)×(width+2m) data. */
export function cropCentre(
  data: Float32Array,
  channels: number,
  height: number,
  width: number,
  m: number,
): Float32Array {
  return cutPlanes(data, channels, width + 2 * m, height + 2 * m, { x: m, y: m, width, height });
}

/**
 * Camera noise on one RGB sample. The pipeline's demosaicking and blurs see `cameraMargin` pixels
 * around each pixel, so it runs on the sample mirrored outwards by that much and the centre is
 * kept: every kept pixel then has noise around it on all sides, as inside a photo (the simulator's
 * own borders reflect the noisy data, which correlates the noise there differently from its map).
 */
export function cameraSample(rgb: Float32Array, height: number, width: number, rng: Rng): CameraSample {
  const pipeline = sampleCameraParams(rng);
  const m = cameraMargin(pipeline);
  const image: Image = {
    width: width + 2 * m,
    height: height + 2 * m,
    channels: 3,
    data: reflectPad(rgb, 3, height, width, m),
    bitDepth: 8,
    meta: { format: 'raw' },
  };
  // Every parameter is given, so the simulator uses this camera (its own draws still happen, in
  // the same order: the run stays reproducible).
  const r = simulateCameraNoise(image, pipeline, rng, { clean: true });
  const n = height * width;
  const map = cropCentre(r.noiseMap, 3, height, width, m);
  // The simulator's map is per channel; the model's map has one channel, on the [0, 1] scale.
  const level = levelMap(map, n, 255);
  return {
    noisy: cropCentre(r.noisy.data, 3, height, width, m),
    clean: cropCentre(r.clean!.data, 3, height, width, m),
    level,
    pipeline,
    padded: { image: r.noisy, margin: m },
  };
}
