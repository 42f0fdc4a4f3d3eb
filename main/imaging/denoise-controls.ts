// What a photographer adjusts after the model has run: how much of the luminance noise and of the
// colour noise that the model removed is actually removed, and how much fine detail (the high
// frequencies of what was removed) is given back. Strength itself is not here: it scales the noise
// map the model is given (ml/inference/denoise.ts), so the model, not a blend, decides what to keep.
//
// The model's change d = denoised − noisy is split, per pixel, into a luminance part (the BT.601
// luma of d, the same in R, G and B: changing Y with Cb and Cr fixed moves all three alike) and
// the colour part that remains (d minus that, which has zero luma). Then
//   out = noisy + luminance · d_luma + chroma · d_colour
// and, with detail > 0, a fraction of the high frequencies of what was removed (noisy − out) is
// added back, as darktable's neural "detail recovery" does:
//   out += detail · (r − blur(r)),   r = noisy − out,   blur = Gaussian, σ 1 pixel.
// Every control at its default (luminance 1, colour 1, detail 0) returns the model's output as is.

import { ImagingError } from '../../common/errors.js';
import { gaussianBlur } from './camera/filters.js';

export interface DenoiseControls {
  /** Fraction of the luminance noise removal kept, 0–1 (default 1). */
  luminance?: number;
  /** Fraction of the colour noise removal kept, 0–1 (default 1). */
  chroma?: number;
  /** Fraction of the removed fine detail given back, 0–1 (default 0). */
  detail?: number;
}

/** The controls' ranges, as the CLI, the contract and the sliders state them. */
export const CONTROL_RANGES = {
  strength: { min: 0, max: 4 },
  luminance: { min: 0, max: 1 },
  chroma: { min: 0, max: 1 },
  detail: { min: 0, max: 1 },
} as const;

function checkRange(name: keyof typeof CONTROL_RANGES, value: number): void {
  const { min, max } = CONTROL_RANGES[name];
  if (!(value >= min && value <= max))
    throw new ImagingError('bad-option', `${name} must be from ${min} to ${max}, got ${value}`);
}

export function checkControls(c: DenoiseControls & { strength?: number }): void {
  for (const name of ['strength', 'luminance', 'chroma', 'detail'] as const) {
    const v = c[name];
    if (v !== undefined) checkRange(name, v);
  }
}

export function isNeutral(c: DenoiseControls): boolean {
  return (c.luminance ?? 1) === 1 && (c.chroma ?? 1) === 1 && (c.detail ?? 0) === 0;
}

/**
 * Applies the controls to planar C×H×W colour (C = 1 or 3): `noisy` the model's input, `denoised`
 * its output. Returns a new array; both inputs are left as they are.
 */
export function applyControls(
  noisy: Float32Array,
  denoised: Float32Array,
  channels: 1 | 3,
  width: number,
  height: number,
  controls: DenoiseControls,
): Float32Array {
  checkControls(controls);
  const luminance = controls.luminance ?? 1;
  const chroma = controls.chroma ?? 1;
  const detail = controls.detail ?? 0;
  const hw = width * height;
  const out = new Float32Array(denoised.length);
  if (channels === 1) {
    for (let i = 0; i < hw; i++) out[i] = noisy[i]! + luminance * (denoised[i]! - noisy[i]!);
  } else {
    for (let i = 0; i < hw; i++) {
      const dr = denoised[i]! - noisy[i]!;
      const dg = denoised[hw + i]! - noisy[hw + i]!;
      const db = denoised[2 * hw + i]! - noisy[2 * hw + i]!;
      const dy = 0.299 * dr + 0.587 * dg + 0.114 * db;
      out[i] = noisy[i]! + luminance * dy + chroma * (dr - dy);
      out[hw + i] = noisy[hw + i]! + luminance * dy + chroma * (dg - dy);
      out[2 * hw + i] = noisy[2 * hw + i]! + luminance * dy + chroma * (db - dy);
    }
  }
  if (detail > 0) {
    for (let c = 0; c < channels; c++) {
      const at = c * hw;
      const removed = new Float32Array(hw);
      for (let i = 0; i < hw; i++) removed[i] = noisy[at + i]! - out[at + i]!;
      const smooth = gaussianBlur(removed, width, height, 1);
      for (let i = 0; i < hw; i++) out[at + i] = out[at + i]! + detail * (removed[i]! - smooth[i]!);
    }
  }
  return out;
}
