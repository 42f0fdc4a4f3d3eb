// Camera-pipeline noise: what a photo's noise looks like after a camera has processed it.
// After Brooks et al. 2019 ("Unprocessing images for learned raw denoising") and the degradation
// models of CBDNet / SCUNet. A clean sRGB photo is unprocessed to plausible raw data, noised there
// (where sensor noise is simple), and processed back the way a camera would:
//
//   sRGB → inverse tone curve, inverse gamma → linear RGB → rgb2cam (random camera mix)
//        → ÷ white-balance gains (highlight-safe) → Bayer mosaic            [unprocess]
//        → + N(0, shot·x + read)                                            [sensor]
//        → × gains, clip at white → demosaic → cam2rgb → chroma NR (linear)
//        → gamma, tone curve → sharpening → clip → 8 bits                  [process]
//        → JPEG at the camera's quality (compressJpeg, async: sharp)
//
// One deviation from the paper: after the white-balance gains it clips to [0, 1]; here only at 1
// (highlights saturate to white). Clipping at 0 there would bias the noise upwards in the shadows
// (read noise half cut off before demosaicking spreads it) and cut out-of-gamut colours that only
// the random colour matrix made negative; the display curve clips at 0 at the end anyway.
//
// The noise is Gaussian with the Poisson–Gaussian variance, as in the paper (exact Poisson
// sampling costs far more per sample and differs only where a pixel collects a few photons: deep
// shadows at the highest levels). Its normals come from a quantile table (gaussian-table.ts):
// Box–Muller measured ≈ 70 ms per megapixel here, about half of everything else together.
//
// Noise map: the σ of the final noise per pixel and channel on the 0–255 scale, by propagating the
// raw variance through the pipeline's local linearisation. Everything between the raw plane and
// the display curve is linear and periodic with the 2×2 Bayer period (gains, demosaic, cam2rgb,
// chroma NR) and the sharpening, although applied after the curve, commutes with it where the
// curve's slope is locally constant. So for each of the four Bayer positions of an output pixel
// and each raw colour, the output variance per unit of raw variance is a fixed number Σ w²
// (w the composite's impulse response, measured once per image on a small impulse plane). With
// the raw variance taken as locally constant per colour, v_k = shot·x_k + read (x_k the clean
// raw value of colour k at that pixel):
//
//   σ_lin,c² = Σ_k v_k · M[phase][k][c]
//   σ_c      = 255 · σ_lin,c · (T(y_c + σ_lin,c) − T(y_c − σ_lin,c)) / (2 σ_lin,c)
//
// with T the display curve and y_c the clean linear value. The secant over ±σ stands in for the
// slope, which is infinite at black (the 1/2.2 power); T clips to [0, 1], so the secant also
// shrinks σ where the noise is clipped at black or white. Left out: the clip of the raw data
// after the gains (highlights only), the 8-bit rounding (adds 1/12 grey level² of variance,
// not counted: the map describes the camera's noise, not the file's) and JPEG (which removes
// some noise; the map is the noise before compression). Tested against the empirical σ over
// many seeds on flat patches: within 2 % (tolerance 4 %) for both demosaickers, dark and bright
// colours, with and without sharpening and chroma NR.

import type { Rng } from '../../../common/rng.js';
import { ImagingError } from '../../../common/errors.js';
import { repeatPlane, withData, withoutJpegQuality, type Image } from '../image.js';
import { encodeImage, decodeImage } from '../codec.js';
import { cfaColours, demosaic, mosaic } from './bayer.js';
import { applyMatrix, forwardGains, invert3, invertGainsSafely, rgbToCamMatrix, type Mat3 } from './color.js';
import { toDisplay, toLinear } from './curves.js';
import { fillStandardNormals } from './gaussian-table.js';
import { blurRadius, reduceChromaNoise, unsharpMask } from './filters.js';
import { resolveCameraParams, type CameraNoiseParams, type CameraPipeline } from './params.js';

export interface CameraNoiseResult {
  /** The photo as the camera would have produced it with this noise, 8-bit values, 3 channels. */
  noisy: Image;
  /** σ of the noise in `noisy`, planar 3×H×W, on the 0–255 scale (see the header). */
  noiseMap: Float32Array;
  /**
   * The same pipeline without noise (only when asked for): the matching clean target. Train on
   * this rather than on the original: demosaicking alone costs a real photo 27–32 dB of fine
   * detail, which a denoiser should not learn to invent on clean photos.
   */
  clean?: Image;
  /** Every parameter used, for records and reproduction. */
  pipeline: CameraPipeline;
}

export interface CameraNoiseOptions {
  /** Also run the pipeline without noise (costs about as much again). */
  clean?: boolean;
}

/**
 * Simulates camera noise on a clean photo (gray photos are processed as RGB; the result has 3
 * channels). Parameters left out of `params` are drawn from `rng` (see resolveCameraParams); the
 * JPEG step, if any, is `compressJpeg(result.noisy, result.pipeline.jpegQuality)`.
 */
export function simulateCameraNoise(
  image: Image,
  params: CameraNoiseParams,
  rng: Rng,
  opts: CameraNoiseOptions = {},
): CameraNoiseResult {
  const pipeline = resolveCameraParams(params, rng);
  const { width, height } = image;
  if (width < 2 || height < 2)
    throw new ImagingError('too-small', `camera noise needs a photo of at least 2×2 pixels, got ${width}×${height}`);
  const rgb = image.channels === 3 ? image.data : repeatPlane(image.data, 3);

  const { cam, raw, camToRgb } = unprocess(rgb, width, height, pipeline);
  const noisyRaw = addSensorNoise(raw, pipeline.shot, pipeline.read, rng);
  // New pixels from the camera: whatever JPEG the source came from no longer describes them.
  const finish = (r: Float32Array) =>
    withData(
      { ...image, channels: 3, meta: withoutJpegQuality(image.meta) },
      processRaw(r, width, height, pipeline, camToRgb),
    );
  const result: CameraNoiseResult = {
    noisy: { ...finish(noisyRaw), bitDepth: 8 },
    noiseMap: noiseMap(cam, width, height, pipeline, camToRgb),
    pipeline,
  };
  if (opts.clean) result.clean = { ...finish(raw), bitDepth: 8 };
  return result;
}

/** The result of unprocessing: what the sensor would have recorded without noise. */
export interface Unprocessed {
  /** Camera RGB before white balance, planar (the raw values of every colour at every pixel). */
  cam: Float32Array;
  /** The Bayer raw plane. */
  raw: Float32Array;
  /** The colour matrix that processing applies (the inverse of the one unprocessing applied). */
  camToRgb: Mat3;
}

/** Display RGB (planar, [0, 1]) → linear → camera RGB → before white balance → Bayer raw plane. */
export function unprocess(rgb: Float32Array, width: number, height: number, pipeline: CameraPipeline): Unprocessed {
  const n = width * height;
  const rgbToCam = rgbToCamMatrix(pipeline.cameraMix);
  const wb = { red: pipeline.redGain, blue: pipeline.blueGain, brightness: pipeline.brightness };
  // One pass for the curves and the matrix (the slowest steps, memory-bound when done apart).
  const a = rgbToCam[0], b = rgbToCam[1], c = rgbToCam[2]; // prettier-ignore
  const d = rgbToCam[3], e = rgbToCam[4], f = rgbToCam[5]; // prettier-ignore
  const g = rgbToCam[6], h = rgbToCam[7], k = rgbToCam[8]; // prettier-ignore
  const cam = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    const r = toLinear(rgb[i]!);
    const gr = toLinear(rgb[n + i]!);
    const bl = toLinear(rgb[2 * n + i]!);
    cam[i] = a * r + b * gr + c * bl;
    cam[n + i] = d * r + e * gr + f * bl;
    cam[2 * n + i] = g * r + h * gr + k * bl;
  }
  invertGainsSafely(cam, n, wb);
  return { cam, raw: mosaic(cam, width, height, pipeline.cfa), camToRgb: invert3(rgbToCam) };
}

/** raw + N(0, shot·x + read), the variance floored at 0 (x can be slightly negative). */
export function addSensorNoise(raw: Float32Array, shot: number, read: number, rng: Rng): Float32Array {
  if (shot === 0 && read === 0) return raw.slice();
  const out = fillStandardNormals(rng, new Float32Array(raw.length));
  for (let i = 0; i < raw.length; i++) {
    const x = raw[i]!;
    const v = shot * x + read;
    out[i] = v > 0 ? x + Math.sqrt(v) * out[i]! : x;
  }
  return out;
}

/** The camera's processing of a raw plane to 8-bit display RGB (as floats in [0, 1]). */
export function processRaw(
  raw: Float32Array,
  width: number,
  height: number,
  pipeline: CameraPipeline,
  camToRgb: Mat3,
): Float32Array {
  const n = width * height;
  const balanced = applyRawGains(raw, width, height, pipeline, true);
  const lin = applyMatrix(camToRgb, demosaic(balanced, width, height, pipeline.cfa, pipeline.demosaic), n);
  reduceChromaNoise(lin, width, height, pipeline.chromaDenoise);
  const sharpen = pipeline.sharpen.amount > 0;
  // The display curve and the 8-bit rounding share one pass unless sharpening comes between.
  for (let i = 0; i < lin.length; i++) lin[i] = sharpen ? toDisplay(lin[i]!) : to8Bits(toDisplay(lin[i]!));
  if (sharpen) {
    unsharpMask(lin, width, height, pipeline.sharpen);
    for (let i = 0; i < lin.length; i++) lin[i] = to8Bits(lin[i]!);
  }
  return lin;
}

/** A display value clipped to [0, 1] and rounded to the nearest of 256 levels. */
function to8Bits(v: number): number {
  const c = v < 0 ? 0 : v > 1 ? 1 : v;
  return ((c * 255 + 0.5) | 0) / 255;
}

/** Multiplies each raw sample by its colour's white-balance gain (then clips at white if asked). */
function applyRawGains(
  raw: Float32Array,
  width: number,
  height: number,
  p: CameraPipeline,
  clip: boolean,
): Float32Array {
  const gains = forwardGains({ red: p.redGain, blue: p.blueGain, brightness: p.brightness });
  const colours = cfaColours(p.cfa);
  const out = new Float32Array(raw.length);
  for (let y = 0; y < height; y++) {
    const row = (y & 1) * 2;
    const g0 = gains[colours[row]!]!;
    const g1 = gains[colours[row + 1]!]!;
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const v = raw[i]! * ((x & 1) === 0 ? g0 : g1);
      out[i] = clip && v > 1 ? 1 : v;
    }
  }
  return out;
}

/**
 * M[phase][k][c]: variance of output channel c (linear, before the display curve, sharpening
 * included) at an output pixel of Bayer position `phase` per unit variance of the raw samples of
 * colour k, measured from impulse responses of the linear part of processing.
 */
export function varianceGains(pipeline: CameraPipeline, camToRgb: Mat3): Float64Array {
  // The same camera over many photos or tiles (CLI, tests) measures once; training draws a new
  // camera per sample and simply misses.
  const key = JSON.stringify([
    pipeline.cfa,
    pipeline.demosaic,
    pipeline.redGain,
    pipeline.blueGain,
    pipeline.brightness,
    pipeline.sharpen,
    pipeline.chromaDenoise,
    camToRgb,
  ]);
  if (lastGains?.key !== key) lastGains = { key, m: measureVarianceGains(pipeline, camToRgb) };
  return lastGains.m;
}

let lastGains: { key: string; m: Float64Array } | undefined;

function measureVarianceGains(pipeline: CameraPipeline, camToRgb: Mat3): Float64Array {
  // Just large enough that no step sees a border: demosaicking reaches 2 samples, each blur its radius.
  const { chromaDenoise: nr, sharpen } = pipeline;
  const reach = 2 + (nr.strength > 0 ? blurRadius(nr.sigma) : 0) + (sharpen.amount > 0 ? blurRadius(sharpen.sigma) : 0);
  const size = 2 * reach + 4;
  const n = size * size;
  const colours = cfaColours(pipeline.cfa);
  const m = new Float64Array(4 * 3 * 3);
  for (let q = 0; q < 4; q++) {
    const impulse = new Float32Array(n);
    const qy = size / 2 + (q >> 1);
    const qx = size / 2 + (q & 1);
    impulse[qy * size + qx] = 1;
    const balanced = applyRawGains(impulse, size, size, pipeline, false);
    const lin = applyMatrix(camToRgb, demosaic(balanced, size, size, pipeline.cfa, pipeline.demosaic), n);
    reduceChromaNoise(lin, size, size, pipeline.chromaDenoise);
    unsharpMask(lin, size, size, pipeline.sharpen);
    const k = colours[q]!;
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const phase = (y & 1) * 2 + (x & 1);
        for (let c = 0; c < 3; c++) {
          const w = lin[c * n + y * size + x]!;
          m[(phase * 3 + k) * 3 + c]! += w * w;
        }
      }
  }
  return m;
}

/**
 * The one level per pixel that a denoiser's noise map states, from the simulator's per-channel map
 * (C planes of n pixels): the RMS over the channels, as the Poisson–Gaussian training samples state
 * their RMS level: the level that, given as a flat σ, removes the same noise power, and what a
 * blind estimator measures on the photo. Divided by `unit` (255 for a map on the [0, 1] scale).
 */
export function levelMap(perChannel: Float32Array, n: number, unit = 1): Float32Array {
  const channels = perChannel.length / n;
  const level = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let power = 0;
    for (let c = 0; c < channels; c++) {
      const s = perChannel[c * n + i]!;
      power += s * s;
    }
    level[i] = Math.sqrt(power / channels) / unit;
  }
  return level;
}

/** The per-pixel, per-channel σ (0–255) of the final noise; see the header for the derivation. */
export function noiseMap(
  cam: Float32Array,
  width: number,
  height: number,
  p: CameraPipeline,
  camToRgb: Mat3,
): Float32Array {
  const n = width * height;
  const m = varianceGains(p, camToRgb);
  const gains = forwardGains({ red: p.redGain, blue: p.blueGain, brightness: p.brightness });
  const gr = gains[0], gg = gains[1], gb = gains[2]; // prettier-ignore
  const a = camToRgb[0], b = camToRgb[1], c = camToRgb[2]; // prettier-ignore
  const d = camToRgb[3], e = camToRgb[4], f = camToRgb[5]; // prettier-ignore
  const g = camToRgb[6], h = camToRgb[7], k = camToRgb[8]; // prettier-ignore
  const { shot, read } = p;
  const clip01 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);
  const map = new Float32Array(3 * n);
  for (let row = 0; row < height; row++)
    for (let col = 0; col < width; col++) {
      const i = row * width + col;
      const base = ((row & 1) * 2 + (col & 1)) * 9;
      const xr = cam[i]!;
      const xg = cam[n + i]!;
      const xb = cam[2 * n + i]!;
      // Raw variance of each colour, taken as locally constant.
      const vr = Math.max(0, shot * xr + read);
      const vg = Math.max(0, shot * xg + read);
      const vb = Math.max(0, shot * xb + read);
      // Clean linear RGB at this pixel: gains, clip, cam2rgb.
      const wr = clip01(gr * xr);
      const wg = clip01(gg * xg);
      const wb = clip01(gb * xb);
      map[i] = displaySigma(a * wr + b * wg + c * wb, Math.sqrt(vr * m[base]! + vg * m[base + 3]! + vb * m[base + 6]!));
      map[n + i] = displaySigma(
        d * wr + e * wg + f * wb,
        Math.sqrt(vr * m[base + 1]! + vg * m[base + 4]! + vb * m[base + 7]!),
      );
      map[2 * n + i] = displaySigma(
        g * wr + h * wg + k * wb,
        Math.sqrt(vr * m[base + 2]! + vg * m[base + 5]! + vb * m[base + 8]!),
      );
    }
  return map;
}

/** σ on the 0–255 scale after the display curve of linear noise σ `s` at linear value `y` (secant). */
function displaySigma(y: number, s: number): number {
  return s > 0 ? 127.5 * (toDisplay(y + s) - toDisplay(y - s)) : 0;
}

/** The camera's JPEG: the image encoded at `quality` and decoded again (sharp, in memory). */
export async function compressJpeg(image: Image, quality: number): Promise<Image> {
  const bytes = await encodeImage(image, 'jpeg', { quality, metadata: 'strip' });
  const decoded = await decodeImage(bytes);
  return {
    ...decoded,
    // The source's metadata, and the quality of the JPEG these pixels now come from.
    meta: {
      ...withoutJpegQuality(image.meta),
      ...(decoded.meta.jpegQuality ? { jpegQuality: decoded.meta.jpegQuality } : {}),
    },
    bitDepth: image.bitDepth,
    ...(image.alpha ? { alpha: image.alpha } : {}),
  };
}
