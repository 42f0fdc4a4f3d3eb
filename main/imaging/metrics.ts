// Image quality metrics: MSE, PSNR and SSIM (Wang, Bovik, Sheikh & Simoncelli 2004).
//
// SSIM is computed exactly as scikit-image's
//   structural_similarity(gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=R)
// which is also Wang's reference ssim_index.m:
//   - local statistics with a Gaussian window σ = 1.5 truncated at 3.5σ → radius 5, 11×11, weights
//     normalised to sum 1 (scipy.ndimage.gaussian_filter), applied separably;
//   - borders handled by scipy's 'reflect' mode (half-sample symmetric: d c b a | a b c d);
//   - population (co)variances: σ² = E[x²] − E[x]²;
//   - C1 = (0.01 R)², C2 = (0.03 R)²;
//   - the mean SSIM is taken over the map with a 5-pixel border cropped away.
// Colour SSIM is the mean of the per-channel SSIMs. Luma metrics (PSNR_Y, SSIM_Y) use BT.601 Y
// (see image.ts `luma`). Everything accumulates in float64.
//
// The filtering runs over horizontal strips of rows, so memory stays O(strip × width) however
// large the image is.

import { ImagingError } from '../../common/errors.js';
import { luma, reflectIndex, type Image } from './image.js';

type Samples = Float32Array | Float64Array;

export const SSIM_SIGMA = 1.5;
export const SSIM_RADIUS = Math.floor(3.5 * SSIM_SIGMA + 0.5); // 5 → 11×11 window
const K1 = 0.01;
const K2 = 0.03;
const STRIP_ROWS = 128;

/** Normalised 1-D Gaussian weights of radius r (as scipy.ndimage.gaussian_filter1d). */
export function gaussianWeights(sigma: number, radius: number): Float64Array {
  const w = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let k = -radius; k <= radius; k++) sum += w[k + radius] = Math.exp((-0.5 * k * k) / (sigma * sigma));
  for (let k = 0; k < w.length; k++) w[k]! /= sum;
  return w;
}
const WEIGHTS = gaussianWeights(SSIM_SIGMA, SSIM_RADIUS);

function checkSameSize(a: Samples, b: Samples): void {
  if (a.length !== b.length)
    throw new ImagingError('size-mismatch', `images differ in size (${a.length} vs ${b.length} samples)`);
}

/** Mean squared error of two equally long sample arrays. */
export function mse(a: Samples, b: Samples): number {
  checkSameSize(a, b);
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    s += d * d;
  }
  return s / a.length;
}

/** PSNR in dB for a given data range (Infinity for identical inputs). */
export function psnr(a: Samples, b: Samples, dataRange = 1): number {
  const m = mse(a, b);
  return m === 0 ? Infinity : 10 * Math.log10((dataRange * dataRange) / m);
}

export interface SsimResult {
  /** Mean SSIM over the map without its 5-pixel border. */
  ssim: number;
  /** Full H×W SSIM map (borders included, as skimage's `full=True`), when asked for. */
  map?: Float32Array;
}

/**
 * SSIM of two single-channel H×W images (see the header for the exact definition).
 * Needs at least 11×11 pixels, as skimage does.
 */
export function ssimPlane(
  a: Samples,
  b: Samples,
  width: number,
  height: number,
  opts: { dataRange?: number; map?: boolean } = {},
): SsimResult {
  checkSameSize(a, b);
  if (a.length !== width * height)
    throw new RangeError(`ssimPlane: expected ${width * height} samples, got ${a.length}`);
  const win = 2 * SSIM_RADIUS + 1;
  if (width < win || height < win)
    throw new ImagingError(
      'too-small',
      `image is ${width}×${height}; SSIM needs at least ${win}×${win} pixels (its Gaussian window)`,
    );
  const R = opts.dataRange ?? 1;
  const c1 = (K1 * R) ** 2;
  const c2 = (K2 * R) ** 2;
  const r = SSIM_RADIUS;
  const W = width;
  const map = opts.map ? new Float32Array(width * height) : undefined;

  // Horizontally filtered x, y, x², y², xy for the strip's rows plus a halo of r rows each side.
  const bufRows = STRIP_ROWS + 2 * r;
  const hx = new Float64Array(bufRows * W);
  const hy = new Float64Array(bufRows * W);
  const hxx = new Float64Array(bufRows * W);
  const hyy = new Float64Array(bufRows * W);
  const hxy = new Float64Array(bufRows * W);
  const ex = new Float64Array(W + 2 * r);
  const ey = new Float64Array(W + 2 * r);

  let sum = 0;
  let count = 0;
  for (let y0 = 0; y0 < height; y0 += STRIP_ROWS) {
    const y1 = Math.min(height, y0 + STRIP_ROWS);
    const rows = y1 - y0 + 2 * r;
    for (let j = 0; j < rows; j++) {
      const src = reflectIndex(y0 - r + j, height) * W;
      for (let k = 0; k < W + 2 * r; k++) {
        const xi = src + reflectIndex(k - r, W);
        ex[k] = a[xi]!;
        ey[k] = b[xi]!;
      }
      const o = j * W;
      for (let x = 0; x < W; x++) {
        let sx = 0;
        let sy = 0;
        let sxx = 0;
        let syy = 0;
        let sxy = 0;
        for (let k = 0; k < win; k++) {
          const w = WEIGHTS[k]!;
          const vx = ex[x + k]!;
          const vy = ey[x + k]!;
          sx += w * vx;
          sy += w * vy;
          sxx += w * vx * vx;
          syy += w * vy * vy;
          sxy += w * vx * vy;
        }
        hx[o + x] = sx;
        hy[o + x] = sy;
        hxx[o + x] = sxx;
        hyy[o + x] = syy;
        hxy[o + x] = sxy;
      }
    }
    for (let y = y0; y < y1; y++) {
      const inside = y >= r && y < height - r;
      const base = (y - y0) * W;
      for (let x = 0; x < W; x++) {
        let ux = 0;
        let uy = 0;
        let uxx = 0;
        let uyy = 0;
        let uxy = 0;
        for (let k = 0; k < win; k++) {
          const w = WEIGHTS[k]!;
          const i = base + k * W + x;
          ux += w * hx[i]!;
          uy += w * hy[i]!;
          uxx += w * hxx[i]!;
          uyy += w * hyy[i]!;
          uxy += w * hxy[i]!;
        }
        const vx = uxx - ux * ux;
        const vy = uyy - uy * uy;
        const vxy = uxy - ux * uy;
        const s = ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
        if (map) map[y * W + x] = s;
        if (inside && x >= r && x < W - r) {
          sum += s;
          count++;
        }
      }
    }
  }
  const result: SsimResult = { ssim: sum / count };
  if (map) result.map = map;
  return result;
}

function checkSameImageSize(a: Image, b: Image): void {
  if (a.width !== b.width || a.height !== b.height)
    throw new ImagingError(
      'size-mismatch',
      `images differ in size: ${a.width}×${a.height} vs ${b.width}×${b.height} (metrics need the same size)`,
    );
  if (a.channels !== b.channels)
    throw new ImagingError(
      'size-mismatch',
      `images differ in channels: ${a.channels} vs ${b.channels} (one is gray, the other colour)`,
    );
}

/** SSIM of two images: mean of the channel SSIMs; the map (if asked) is the channel mean too. */
export function ssim(a: Image, b: Image, opts: { map?: boolean } = {}): SsimResult {
  checkSameImageSize(a, b);
  const n = a.width * a.height;
  let total = 0;
  let map: Float32Array | undefined;
  for (let c = 0; c < a.channels; c++) {
    const res = ssimPlane(a.data.subarray(c * n, (c + 1) * n), b.data.subarray(c * n, (c + 1) * n), a.width, a.height, {
      dataRange: 1,
      map: opts.map ?? false,
    });
    total += res.ssim;
    if (res.map) {
      if (!map) map = res.map;
      else for (let i = 0; i < n; i++) map[i]! += res.map[i]!;
    }
  }
  if (map && a.channels > 1) for (let i = 0; i < n; i++) map[i]! /= a.channels;
  const result: SsimResult = { ssim: total / a.channels };
  if (map) result.map = map;
  return result;
}

export interface ImageMetrics {
  /** Mean squared error on the 0–255 scale. */
  mse: number;
  /** PSNR in dB with data range 255 (Infinity when identical). */
  psnr: number;
  ssim: number;
  /** On BT.601 luma. */
  psnr_y: number;
  ssim_y: number;
}

/** All metrics of `test` against `reference`, on the 0–255 scale. */
export function compareImages(reference: Image, test: Image): ImageMetrics {
  checkSameImageSize(reference, test);
  const m = mse(reference.data, test.data);
  const yr = luma(reference);
  const yt = luma(test);
  return {
    mse: m * 255 * 255,
    psnr: m === 0 ? Infinity : 10 * Math.log10(1 / m),
    ssim: ssim(reference, test).ssim,
    psnr_y: psnr(yr, yt, 1),
    ssim_y: ssimPlane(yr, yt, reference.width, reference.height, { dataRange: 1 }).ssim,
  };
}
