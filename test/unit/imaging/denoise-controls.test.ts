// The photographer's controls after the model: luminance and colour removal apart, detail given back.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../common/rng.js';
import { applyControls, checkControls, isNeutral } from '../../../main/imaging/denoise-controls.js';

const W = 16;
const H = 12;
const HW = W * H;

function pair(seed = 1): { noisy: Float32Array; denoised: Float32Array } {
  const rng = new Rng(seed);
  const denoised = new Float32Array(3 * HW);
  for (let i = 0; i < HW; i++) {
    denoised[i] = 0.5 + 0.2 * Math.sin(i / 7);
    denoised[HW + i] = 0.4;
    denoised[2 * HW + i] = 0.3 + 0.1 * Math.cos(i / 5);
  }
  const noisy = Float32Array.from(denoised, (v) => v + 0.05 * rng.normal());
  return { noisy, denoised };
}

const luma = (d: Float32Array, i: number) => 0.299 * d[i]! + 0.587 * d[HW + i]! + 0.114 * d[2 * HW + i]!;

describe('denoise controls', () => {
  it('leave the model’s output as is at their defaults', () => {
    const { noisy, denoised } = pair();
    expect(isNeutral({})).toBe(true);
    expect(Array.from(applyControls(noisy, denoised, 3, W, H, {}))).toEqual(Array.from(denoised));
  });

  it('luminance 0 keeps the luma of the noisy photo and removes only colour noise', () => {
    const { noisy, denoised } = pair();
    const out = applyControls(noisy, denoised, 3, W, H, { luminance: 0 });
    for (const i of [0, 17, HW - 1]) {
      expect(luma(out, i)).toBeCloseTo(luma(noisy, i), 6);
      // the colour differences (R − G, B − G) are the model's
      expect(out[i]! - out[HW + i]!).toBeCloseTo(denoised[i]! - denoised[HW + i]!, 6);
      expect(out[2 * HW + i]! - out[HW + i]!).toBeCloseTo(denoised[2 * HW + i]! - denoised[HW + i]!, 6);
    }
  });

  it('colour 0 keeps the colour noise and removes only luminance noise', () => {
    const { noisy, denoised } = pair();
    const out = applyControls(noisy, denoised, 3, W, H, { chroma: 0 });
    for (const i of [0, 17, HW - 1]) {
      expect(luma(out, i)).toBeCloseTo(luma(denoised, i), 6);
      expect(out[i]! - out[HW + i]!).toBeCloseTo(noisy[i]! - noisy[HW + i]!, 6);
    }
    // Both at 0: the noisy photo back.
    const none = applyControls(noisy, denoised, 3, W, H, { chroma: 0, luminance: 0 });
    for (let i = 0; i < none.length; i++) expect(none[i]!).toBeCloseTo(noisy[i]!, 6);
  });

  it('detail gives back the fine part of what was removed, and grows with it', () => {
    const { noisy, denoised } = pair(3);
    const err = (a: Float32Array) => {
      let s = 0;
      for (let i = 0; i < a.length; i++) s += (a[i]! - noisy[i]!) ** 2;
      return Math.sqrt(s / a.length);
    };
    const e0 = err(applyControls(noisy, denoised, 3, W, H, { detail: 0 }));
    const e5 = err(applyControls(noisy, denoised, 3, W, H, { detail: 0.5 }));
    const e1 = err(applyControls(noisy, denoised, 3, W, H, { detail: 1 }));
    // White noise is mostly high frequency: detail 1 gives back most, not all, of it.
    expect(e5).toBeLessThan(e0);
    expect(e1).toBeLessThan(e5);
    expect(e1).toBeGreaterThan(0.2 * e0);
    // A constant removed offset has no high frequencies: nothing comes back.
    const flat = new Float32Array(HW).fill(0.5);
    const lifted = Float32Array.from(flat, (v) => v + 0.1);
    const out = applyControls(lifted, flat, 1, W, H, { detail: 1 });
    for (let i = 0; i < HW; i++) expect(out[i]!).toBeCloseTo(0.5, 6);
  });

  it('refuses values outside their ranges in words', () => {
    expect(() => checkControls({ strength: 5 })).toThrow('strength must be from 0 to 4, got 5');
    expect(() => checkControls({ chroma: -0.1 })).toThrow('chroma must be from 0 to 1, got -0.1');
    expect(() => checkControls({ detail: Number.NaN })).toThrow('detail must be from 0 to 1, got NaN');
  });
});
