// The in-camera finishing filters of the simulator: unsharp-mask sharpening (on display values)
// and a mild chroma noise reduction (on linear RGB). Both are linear and shift-invariant, which
// the noise map relies on (see pipeline.ts).

import { gaussianWeights } from '../metrics.js';
import { lumaOfPlanes, reflectIndex } from '../image.js';

/** How far the blur of `gaussianBlur` reaches: ⌈3σ⌉ pixels, at least 1. */
export function blurRadius(sigma: number): number {
  return Math.max(1, Math.ceil(3 * sigma));
}

/** Separable Gaussian blur of one plane (radius `blurRadius(σ)`, half-sample reflected borders). */
export function gaussianBlur(src: Float32Array, width: number, height: number, sigma: number): Float32Array {
  const radius = blurRadius(sigma);
  const w = gaussianWeights(sigma, radius);
  const tmp = new Float32Array(src.length);
  const out = new Float32Array(src.length);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      let s = 0;
      if (x >= radius && x < width - radius)
        for (let k = -radius; k <= radius; k++) s += w[k + radius]! * src[row + x + k]!;
      else for (let k = -radius; k <= radius; k++) s += w[k + radius]! * src[row + reflectIndex(x + k, width)]!;
      tmp[row + x] = s;
    }
  }
  for (let y = 0; y < height; y++) {
    const inside = y >= radius && y < height - radius;
    for (let x = 0; x < width; x++) {
      let s = 0;
      if (inside) for (let k = -radius; k <= radius; k++) s += w[k + radius]! * tmp[(y + k) * width + x]!;
      else for (let k = -radius; k <= radius; k++) s += w[k + radius]! * tmp[reflectIndex(y + k, height) * width + x]!;
      out[y * width + x] = s;
    }
  }
  return out;
}

export interface Sharpening {
  /** Strength: out = x + amount·(x − blur(x)). 0 turns it off. */
  amount: number;
  /** σ of the blur in pixels. */
  sigma: number;
}

/** Unsharp mask of every plane of planar data, in place. */
export function unsharpMask(data: Float32Array, width: number, height: number, s: Sharpening): Float32Array {
  if (s.amount === 0) return data;
  const n = width * height;
  for (let c = 0; c < data.length / n; c++) {
    const plane = data.subarray(c * n, (c + 1) * n);
    const blurred = gaussianBlur(plane, width, height, s.sigma);
    for (let i = 0; i < n; i++) plane[i] = plane[i]! + s.amount * (plane[i]! - blurred[i]!);
  }
  return data;
}

export interface ChromaDenoise {
  /** Share of the chroma's fine detail removed, in [0, 1]. 0 turns it off. */
  strength: number;
  /** σ of the chroma blur in pixels. */
  sigma: number;
}

/**
 * Mild colour-noise reduction of planar RGB, in place: the chroma (each channel minus the BT.601
 * luma) is blurred and mixed back with weight `strength`, luma untouched:
 * out_c = x_c − strength·(d_c − blur(d_c)), d_c = x_c − Y. Cameras do this because colour blotches
 * are what makes sensor noise look ugly; it leaves the noise lower in chroma than in luma.
 */
export function reduceChromaNoise(rgb: Float32Array, width: number, height: number, s: ChromaDenoise): Float32Array {
  if (s.strength === 0) return rgb;
  const n = width * height;
  const y = lumaOfPlanes(rgb, n);
  // The luma weights sum the chroma planes to 0, so blurring two gives the third's blur too and
  // the luma stays unchanged.
  const [red, green] = [0, 1].map((c) => {
    const d = new Float32Array(n);
    for (let i = 0; i < n; i++) d[i] = rgb[c * n + i]! - y[i]!;
    const blurred = gaussianBlur(d, width, height, s.sigma);
    for (let i = 0; i < n; i++) d[i] = s.strength * (d[i]! - blurred[i]!);
    return d;
  }) as [Float32Array, Float32Array];
  for (let i = 0; i < n; i++) {
    rgb[i]! -= red[i]!;
    rgb[n + i]! -= green[i]!;
    rgb[2 * n + i]! += (0.299 * red[i]! + 0.587 * green[i]!) / 0.114;
  }
  return rgb;
}
