import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readImage } from '../../../main/imaging/codec.js';
import { compareImages, mse, psnr, ssim, ssimPlane } from '../../../main/imaging/metrics.js';
import { createImage, reflectIndex } from '../../../main/imaging/image.js';

const FIX = path.resolve('test/fixtures');

describe('SSIM against the shared reference values (skimage 0.19 / Wang ssim_index.m)', () => {
  const ref = JSON.parse(readFileSync(path.join(FIX, 'ssim/reference_values.json'), 'utf8'));

  it('grayscale camera vs noisy camera', async () => {
    const a = await readImage(path.join(FIX, 'ssim/camera.png'));
    const b = await readImage(path.join(FIX, 'ssim/camera_noisy_s20_seed5.png'));
    expect(a.channels).toBe(1);
    const expected = ref['camera.png vs camera_noisy_s20_seed5.png (grayscale)'].ssim_wang_2004_gaussian;
    expect(Math.abs(ssim(a, b).ssim - expected)).toBeLessThan(1e-4);
  });

  it('RGB chelsea: channel mean and each channel', async () => {
    const a = await readImage(path.join(FIX, 'ssim/chelsea.png'));
    const b = await readImage(path.join(FIX, 'ssim/chelsea_noisy_s15_rng0.png'));
    const r = ref['chelsea.png vs chelsea_noisy_s15_rng0.png (RGB)'];
    expect(Math.abs(ssim(a, b).ssim - r.ssim_wang_2004_gaussian_channel_mean)).toBeLessThan(1e-4);
    const n = a.width * a.height;
    for (let c = 0; c < 3; c++) {
      const s = ssimPlane(a.data.subarray(c * n, (c + 1) * n), b.data.subarray(c * n, (c + 1) * n), a.width, a.height);
      expect(Math.abs(s.ssim - r.per_channel_R_G_B[c])).toBeLessThan(1e-4);
    }
  });
});

describe('metrics against skimage fixtures on devset crops', () => {
  const fx = JSON.parse(readFileSync(path.join(FIX, 'imaging/skimage_metrics.json'), 'utf8'));
  type Pair = {
    reference: string;
    test: string;
    ssim: number;
    ssim_y: number;
    psnr: number;
    psnr_y: number;
    mse: number;
  };
  for (const p of fx.pairs as Pair[]) {
    it(`${p.test}`, async () => {
      const a = await readImage(path.join(FIX, 'imaging/crops', p.reference));
      const b = await readImage(path.join(FIX, 'imaging/crops', p.test));
      const m = compareImages(a, b);
      expect(Math.abs(m.ssim - p.ssim)).toBeLessThan(1e-4);
      expect(Math.abs(m.ssim_y - p.ssim_y)).toBeLessThan(1e-4);
      expect(Math.abs(m.psnr - p.psnr)).toBeLessThan(1e-4);
      expect(Math.abs(m.psnr_y - p.psnr_y)).toBeLessThan(1e-4);
      expect(Math.abs(m.mse - p.mse) / p.mse).toBeLessThan(1e-6);
    });
  }
});

describe('metric basics', () => {
  it('identical images: SSIM 1, MSE 0, PSNR infinite; the map is 1 everywhere', () => {
    const a = createImage(20, 16, 3);
    for (let i = 0; i < a.data.length; i++) a.data[i] = ((i * 37) % 101) / 100;
    const r = ssim(a, a, { map: true });
    expect(r.ssim).toBeCloseTo(1, 12);
    expect(r.map!.length).toBe(20 * 16);
    expect(Math.min(...r.map!)).toBeCloseTo(1, 6);
    expect(psnr(a.data, a.data)).toBe(Infinity);
  });

  it('PSNR of a constant offset follows 10·log10(R²/MSE)', () => {
    const a = new Float32Array(100).fill(0.5);
    const b = new Float32Array(100).fill(0.6);
    expect(mse(a, b)).toBeCloseTo(0.01, 7);
    expect(psnr(a, b, 1)).toBeCloseTo(20, 5);
  });

  it('refuses different sizes and images smaller than the 11×11 window', () => {
    expect(() => compareImages(createImage(20, 20, 1), createImage(20, 21, 1))).toThrow(
      /differ in size: 20×20 vs 20×21/,
    );
    expect(() => compareImages(createImage(20, 20, 1), createImage(20, 20, 3))).toThrow(/gray, the other colour/);
    expect(() => ssim(createImage(1, 1, 1), createImage(1, 1, 1))).toThrow(/1×1; SSIM needs at least 11×11/);
  });

  it('reflect index is half-sample symmetric and periodic', () => {
    expect([-3, -2, -1, 0, 1, 2, 3, 4, 5].map((i) => reflectIndex(i, 3))).toEqual([2, 1, 0, 0, 1, 2, 2, 1, 0]);
    expect([-5, 0, 7].map((i) => reflectIndex(i, 1))).toEqual([0, 0, 0]);
  });
});
