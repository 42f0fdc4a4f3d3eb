// The estimator's readings become a noise level function of brightness: a low quantile per
// brightness bin, so texture (which the network reads as noise) does not raise the level.
import { describe, expect, it } from 'vitest';
import { createImage } from '../../../main/imaging/image.js';
import { boxSmooth, levelByBrightness } from '../../../main/ml/inference/noise-map.js';

describe('noise level function', () => {
  it('follows brightness and ignores texture spikes', () => {
    const W = 256;
    const H = 64;
    const image = createImage(W, H, 1);
    const readings = new Float32Array(W * H);
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const b = x / (W - 1);
        image.data[y * W + x] = b;
        // true level 2 + 10·b; every 4th pixel "texture" reads 30 more
        readings[y * W + x] = 2 + 10 * b + (x % 4 === 0 ? 30 : 0);
      }
    const level = levelByBrightness(readings, image, 0.25);
    for (const x of [20, 64, 128, 200, 236]) {
      const truth = 2 + (10 * x) / (W - 1);
      expect(Math.abs(level[32 * W + x]! - truth), `x ${x}`).toBeLessThan(0.6);
    }
  });

  it('box smoothing keeps a constant and averages a step', () => {
    const flat = new Float32Array(10 * 10).fill(3);
    expect(Array.from(boxSmooth(flat, 10, 10, 2)).every((v) => Math.abs(v - 3) < 1e-6)).toBe(true);
    const step = new Float32Array(10 * 10);
    for (let y = 0; y < 10; y++) for (let x = 5; x < 10; x++) step[y * 10 + x] = 1;
    const s = boxSmooth(step, 10, 10, 1);
    expect(s[5 * 10 + 4]).toBeCloseTo(1 / 3, 5);
    expect(s[5 * 10 + 5]).toBeCloseTo(2 / 3, 5);
  });
});
