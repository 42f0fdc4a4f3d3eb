// The noise grain: σ_MAD of the photo binned 2×2 over σ_MAD of the photo. White noise keeps half its
// σ when four pixels are averaged; a camera's demosaicked noise keeps about all of it.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../common/rng.js';
import { simulateCameraNoise } from '../../../main/imaging/camera/index.js';
import { noiseGrain } from '../../../main/imaging/noise-grain.js';
import type { Image } from '../../../main/imaging/image.js';

function grey(width: number, height: number, value = 0.5): Image {
  return {
    width,
    height,
    channels: 3,
    data: new Float32Array(3 * width * height).fill(value),
    bitDepth: 8,
    meta: { format: 'raw' },
  };
}
function withWhiteNoise(image: Image, sigma: number, seed: number): Image {
  const rng = new Rng(seed);
  return { ...image, data: Float32Array.from(image.data, (v) => v + (sigma / 255) * rng.normal()) };
}

describe('noiseGrain', () => {
  it('is 0.5 for white Gaussian noise, whatever its level', () => {
    for (const sigma of [3, 15, 50]) {
      const g = noiseGrain(withWhiteNoise(grey(256, 256), sigma, sigma))!;
      expect(g, `σ ${sigma}`).toBeGreaterThan(0.46);
      expect(g, `σ ${sigma}`).toBeLessThan(0.54);
    }
  });

  it('is 1 for noise that is constant over each 2×2 block (binning keeps all of it)', () => {
    const rng = new Rng(4);
    const image = grey(256, 256);
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < 256; y += 2)
        for (let x = 0; x < 256; x += 2) {
          const v = 0.5 + (10 / 255) * rng.normal();
          for (const [dy, dx] of [
            [0, 0],
            [0, 1],
            [1, 0],
            [1, 1],
          ] as const)
            image.data[c * 65536 + (y + dy) * 256 + x + dx] = v;
        }
    // Binned, the blocks are the original white noise of σ 10; the fine scale sees the blocks'
    // edges only, which the db2 diagonal subband passes at a quarter of σ (3.98).
    expect(noiseGrain(image)!).toBeGreaterThan(3.5);
    expect(noiseGrain(image)!).toBeLessThan(4.5);
  });

  it('reads camera noise (demosaicked, colour-processed) as coarse: above 1.1 on a flat grey', () => {
    // 1.1 is where the shipped estimator's white-noise correction ends (1.21–1.96 here).
    for (const level of ['low', 'medium', 'high'] as const)
      for (const seed of [11, 12, 13]) {
        const sim = simulateCameraNoise(grey(256, 256, 0.4), { level, jpegQuality: null }, new Rng(seed), {});
        expect(noiseGrain(sim.noisy)!, `${level}, seed ${seed}`).toBeGreaterThan(1.1);
      }
  });

  it('says nothing for a photo without noise or too small to tell', () => {
    expect(noiseGrain(grey(256, 256))).toBeNull();
    expect(noiseGrain(withWhiteNoise(grey(12, 256), 20, 1))).toBeNull();
  });

  it('measures a large photo on its centre 1024², the same as that crop', () => {
    const [W, H] = [1036, 1032];
    const rng = new Rng(5);
    const big = {
      width: W,
      height: H,
      channels: 1,
      data: Float32Array.from({ length: W * H }, () => 0.5 + 0.03 * rng.normal()),
    };
    // Noise of another grain outside the centre must not count.
    for (let y = 0; y < H; y++) big.data[y * W] = y % 2;
    const crop = { width: 1024, height: 1024, channels: 1, data: new Float32Array(1024 * 1024) };
    for (let y = 0; y < 1024; y++) crop.data.set(big.data.subarray((4 + y) * W + 6, (4 + y) * W + 6 + 1024), y * 1024);
    expect(noiseGrain(big)).toBe(noiseGrain(crop));
  });
});
