// Colour steps of the camera-pipeline simulator, after Brooks et al. 2019 (unprocess.py):
// a random camera colour matrix and random white-balance gains, with their inverses.
//
// Colour matrix. Each camera's XYZ→camera matrix (from Adobe DNG data, as in the paper) is mixed
// with random convex weights; composed with sRGB→XYZ (D65) it gives rgb2cam, whose rows are then
// normalised to sum 1 so that white stays white. Unprocessing applies rgb2cam; processing applies
// its inverse cam2rgb.
//
// White balance. The camera multiplies red and blue by gains g_r ∈ [1.9, 2.4], g_b ∈ [1.5, 1.9]
// and everything by a brightness gain 1/N(0.8, 0.1). Unprocessing divides by them, except in the
// highlights: there the inverse gains fade to 1 (Brooks' safe_invert_gains), so that bright,
// saturated areas stay saturated after the forward gains and clipping instead of turning grey.

import type { Rng } from '../../../common/rng.js';

export type Mat3 = [number, number, number, number, number, number, number, number, number];

/** XYZ→camera matrices of four cameras, row-major (Brooks et al. 2019, unprocess.random_ccm). */
export const CAMERA_XYZ_TO_CAM: readonly Mat3[] = [
  [1.0234, -0.2969, -0.2266, -0.5625, 1.6328, -0.0469, -0.0703, 0.2188, 0.6406],
  [0.4913, -0.0541, -0.0202, -0.613, 1.3513, 0.2906, -0.1564, 0.2151, 0.7183],
  [0.838, -0.263, -0.0639, -0.2887, 1.0725, 0.2496, -0.0627, 0.1427, 0.5438],
  [0.6596, -0.2079, -0.0562, -0.4782, 1.3016, 0.1933, -0.097, 0.1581, 0.5181],
];

/** Linear sRGB → XYZ (D65). */
export const RGB_TO_XYZ: Mat3 = [
  0.4124564, 0.3575761, 0.1804375, 0.2126729, 0.7151522, 0.072175, 0.0193339, 0.119192, 0.9503041,
];

export function matMul(a: Mat3, b: Mat3): Mat3 {
  const out = new Array<number>(9) as Mat3;
  for (let r = 0; r < 3; r++)
    for (let c = 0; c < 3; c++)
      out[3 * r + c] = a[3 * r]! * b[c]! + a[3 * r + 1]! * b[3 + c]! + a[3 * r + 2]! * b[6 + c]!;
  return out;
}

/** Inverse of a 3×3 matrix (adjugate / determinant); throws on a singular one. */
export function invert3(m: Mat3): Mat3 {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (!(Math.abs(det) > 1e-12)) throw new RangeError('colour matrix is singular');
  const s = 1 / det;
  return [
    A * s, -(b * i - c * h) * s, (b * f - c * e) * s,
    B * s, (a * i - c * g) * s, -(a * f - c * d) * s,
    C * s, -(a * h - b * g) * s, (a * e - b * d) * s,
  ]; // prettier-ignore
}

/**
 * rgb2cam for convex weights over CAMERA_XYZ_TO_CAM (normalised here; they need not sum to 1),
 * rows normalised to sum 1.
 */
export function rgbToCamMatrix(weights: readonly number[]): Mat3 {
  if (weights.length !== CAMERA_XYZ_TO_CAM.length || weights.some((w) => !(w >= 0)))
    throw new RangeError(`camera mix needs ${CAMERA_XYZ_TO_CAM.length} non-negative weights`);
  const total = weights.reduce((s, w) => s + w, 0);
  if (!(total > 0)) throw new RangeError('camera mix weights must not all be 0');
  const xyzToCam = new Array<number>(9).fill(0) as Mat3;
  CAMERA_XYZ_TO_CAM.forEach((m, k) => {
    for (let j = 0; j < 9; j++) xyzToCam[j] = xyzToCam[j]! + (weights[k]! / total) * m[j]!;
  });
  const m = matMul(xyzToCam, RGB_TO_XYZ);
  for (let r = 0; r < 3; r++) {
    const sum = m[3 * r]! + m[3 * r + 1]! + m[3 * r + 2]!;
    for (let c = 0; c < 3; c++) m[3 * r + c]! /= sum;
  }
  return m;
}

/** Random camera-mix weights as the paper draws them: independent uniforms, normalised. */
export function sampleCameraMix(rng: Rng): number[] {
  const w = CAMERA_XYZ_TO_CAM.map(() => rng.uniform() + 1e-8);
  const total = w.reduce((s, v) => s + v, 0);
  return w.map((v) => v / total);
}

/** M·x for every pixel of planar RGB data (n pixels per plane), as new planes. */
export function applyMatrix(m: Mat3, rgb: Float32Array, n: number): Float32Array {
  // Coefficients read one by one: destructuring here together with a default parameter made
  // V8 run this loop 10× slower (measured).
  const out = new Float32Array(3 * n);
  const a = m[0], b = m[1], c = m[2], d = m[3], e = m[4], f = m[5], g = m[6], h = m[7], i = m[8]; // prettier-ignore
  for (let p = 0; p < n; p++) {
    const r = rgb[p]!;
    const gr = rgb[n + p]!;
    const bl = rgb[2 * n + p]!;
    out[p] = a * r + b * gr + c * bl;
    out[n + p] = d * r + e * gr + f * bl;
    out[2 * n + p] = g * r + h * gr + i * bl;
  }
  return out;
}

export interface WhiteBalance {
  /** Red gain the camera applies (paper: U[1.9, 2.4]). */
  red: number;
  /** Blue gain the camera applies (paper: U[1.5, 1.9]). */
  blue: number;
  /** Overall brightness gain (paper: 1 / N(0.8, 0.1)). */
  brightness: number;
}

/** The per-channel gains the camera applies to camera RGB: brightness·[red, 1, blue]. */
export function forwardGains(wb: WhiteBalance): [number, number, number] {
  return [wb.brightness * wb.red, wb.brightness, wb.brightness * wb.blue];
}

/** Where the highlight fade of the inverse gains starts (mean of the three channels). */
const HIGHLIGHT_INFLECTION = 0.9;

/**
 * Divides planar camera RGB by the gains in place, fading the inverse gains to 1 where the
 * channel mean exceeds 0.9 (Brooks' safe_invert_gains): mask = (max(mean − 0.9, 0) / 0.1)², gain =
 * max(mask + (1 − mask)/g, 1/g). Below the inflection this is exactly the inverse of
 * `applyGains`; above it the pipeline saturates highlights, as a camera does.
 */
export function invertGainsSafely(rgb: Float32Array, n: number, wb: WhiteBalance): Float32Array {
  const inv = forwardGains(wb).map((g) => 1 / g) as [number, number, number];
  const [i0, i1, i2] = inv;
  for (let p = 0; p < n; p++) {
    const mean = (rgb[p]! + rgb[n + p]! + rgb[2 * n + p]!) / 3;
    const t = Math.max(mean - HIGHLIGHT_INFLECTION, 0) / (1 - HIGHLIGHT_INFLECTION);
    const mask = t * t;
    if (mask === 0) {
      rgb[p]! *= i0;
      rgb[n + p]! *= i1;
      rgb[2 * n + p]! *= i2;
    } else for (let c = 0; c < 3; c++) rgb[c * n + p]! *= Math.max(mask + (1 - mask) * inv[c]!, inv[c]!);
  }
  return rgb;
}
