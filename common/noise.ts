// Synthetic noise for training pairs and experiments (described in noise-spec.ts). Images are in [0, 1]; every parameter is
// stated on the familiar 0–255 scale (σ = 25 means 25 grey levels) or as a dimensionless
// fraction. All randomness comes from the seeded Rng, so a seed gives the same noise everywhere.
//
//   gaussian          y = x + (σ/255)·n,                    n ~ N(0, 1)
//   poisson           y = Poisson(P·x) / P                 P = photons at full scale (255)
//   poisson-gaussian  y = Poisson(P·x) / P + (σ/255)·n     shot noise plus read noise
//   salt-pepper       each sample, with probability `amount`, becomes 1 (salt, probability
//                     `saltRatio`) or 0 (pepper); channels are hit independently (as skimage)
//   speckle           y = x + x·σ·n                         multiplicative, σ dimensionless
//   mask              each pixel (all channels), with probability `fraction`, becomes 0
//
// With `clip` (the default) the result is clipped to [0, 1]; without it, values outside the
// range are kept (only float outputs can store them).

import type { Rng } from './rng.js';
import { type NoiseSpec, checkNoiseSpec } from './noise-spec.js';

export interface NoiseOptions {
  /** Clip the result to [0, 1] (default true). */
  clip?: boolean;
}

/**
 * Returns a noisy copy of planar C×H×W data in [0, 1]. `channels` lets the mask model drop all
 * channels of a pixel together.
 */
export function addNoise(
  data: Float32Array,
  channels: number,
  spec: NoiseSpec,
  rng: Rng,
  opts: NoiseOptions = {},
): Float32Array {
  checkNoiseSpec(spec);
  const out = new Float32Array(data.length);
  const n = data.length;
  switch (spec.type) {
    case 'gaussian': {
      const s = spec.sigma / 255;
      for (let i = 0; i < n; i++) out[i] = data[i]! + s * rng.normal();
      break;
    }
    case 'poisson': {
      const p = spec.photons;
      for (let i = 0; i < n; i++) out[i] = poisson(rng, p * Math.max(0, data[i]!)) / p;
      break;
    }
    case 'poisson-gaussian': {
      const p = spec.photons;
      const s = spec.sigma / 255;
      for (let i = 0; i < n; i++) out[i] = poisson(rng, p * Math.max(0, data[i]!)) / p + s * rng.normal();
      break;
    }
    case 'salt-pepper': {
      const salt = spec.saltRatio ?? 0.5;
      for (let i = 0; i < n; i++) {
        if (rng.uniform() < spec.amount) out[i] = rng.uniform() < salt ? 1 : 0;
        else out[i] = data[i]!;
      }
      break;
    }
    case 'speckle': {
      for (let i = 0; i < n; i++) out[i] = data[i]! * (1 + spec.sigma * rng.normal());
      break;
    }
    case 'mask': {
      const pixels = n / channels;
      for (let i = 0; i < pixels; i++) {
        const drop = rng.uniform() < spec.fraction;
        for (let c = 0; c < channels; c++) out[c * pixels + i] = drop ? 0 : data[c * pixels + i]!;
      }
      break;
    }
  }
  if (opts.clip ?? true) for (let i = 0; i < n; i++) out[i] = out[i]! < 0 ? 0 : out[i]! > 1 ? 1 : out[i]!;
  return out;
}


/**
 * Poisson(λ) sample. Exact in both regimes: for λ < 10 Knuth's product of uniforms (expected λ+1
 * draws); for λ ≥ 10 Hörmann's transformed rejection PTRS (1993), the method numpy uses, whose
 * cost does not grow with λ.
 */
export function poisson(rng: Rng, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda < 10) {
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = rng.uniform();
    while (p > limit) {
      k++;
      p *= rng.uniform();
    }
    return k;
  }
  const slam = Math.sqrt(lambda);
  const loglam = Math.log(lambda);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = rng.uniform() - 0.5;
    const v = rng.uniform();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -lambda + k * loglam - logGamma(k + 1))
      return k;
  }
}

const STIRLING = [
  8.333333333333333e-2, -2.777777777777778e-3, 7.936507936507937e-4, -5.952380952380952e-4, 8.417508417508418e-4,
  -1.917526917526918e-3, 6.41025641025641e-3, -2.955065359477124e-2, 1.796443723688307e-1, -1.3924322169059,
];

/** ln Γ(x) for x > 0 (Stirling series after shifting x above 7; as numpy's loggam). */
export function logGamma(x: number): number {
  if (x === 1 || x === 2) return 0;
  let x0 = x;
  let shift = 0;
  if (x <= 7) {
    shift = Math.floor(7 - x);
    x0 = x + shift;
  }
  const x2 = 1 / (x0 * x0);
  let gl0 = STIRLING[9]!;
  for (let k = 8; k >= 0; k--) gl0 = gl0 * x2 + STIRLING[k]!;
  let gl = gl0 / x0 + 0.5 * Math.log(2 * Math.PI) + (x0 - 0.5) * Math.log(x0) - x0;
  for (let k = 0; k < shift; k++) {
    x0 -= 1;
    gl -= Math.log(x0);
  }
  return gl;
}
