import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../common/rng.js';
import { readImage } from '../../../main/imaging/codec.js';
import { addNoise, logGamma, poisson } from '../../../common/noise.js';
import { parseNoiseLevel, type NoiseSpec } from '../../../common/noise-spec.js';
import { estimateNoiseSigma, estimateSigmaPlane, medianInPlace } from '../../../main/imaging/noise-estimate.js';

const N = 200_000;
const flat = (v: number, n = N) => new Float32Array(n).fill(v);

function stats(a: Float32Array | number[]): { mean: number; std: number } {
  let s = 0;
  let s2 = 0;
  for (const v of a) {
    s += v;
    s2 += v * v;
  }
  const mean = s / a.length;
  return { mean, std: Math.sqrt(s2 / a.length - mean * mean) };
}

describe('noise models: mean and spread on a flat image (0–255 scale)', () => {
  const x = 0.5; // 127.5 grey levels
  const cases: Array<[NoiseSpec, number, number]> = [
    // spec, expected mean, expected std (both on 0–255)
    [{ type: 'gaussian', sigma: 25 }, 127.5, 25],
    [{ type: 'poisson', photons: 40 }, 127.5, (255 * Math.sqrt(40 * x)) / 40],
    [{ type: 'poisson', photons: 4 }, 127.5, (255 * Math.sqrt(4 * x)) / 4], // Knuth regime (λ = 2)
    [{ type: 'poisson-gaussian', photons: 40, sigma: 10 }, 127.5, Math.hypot((255 * Math.sqrt(40 * x)) / 40, 10)],
    [{ type: 'speckle', sigma: 0.2 }, 127.5, 127.5 * 0.2],
    // mask: mean (1−p)x, std x·√(p(1−p))
    [{ type: 'mask', fraction: 0.3 }, 0.7 * 127.5, 127.5 * Math.sqrt(0.21)],
    // salt-pepper with amount a, salt s: mean (1−a)x + a·s·255
    [{ type: 'salt-pepper', amount: 0.1, saltRatio: 0.3 }, 0.9 * 127.5 + 0.1 * 0.3 * 255, NaN],
  ];
  for (const [spec, mean, std] of cases) {
    it(`${JSON.stringify(spec)}`, () => {
      const out = addNoise(flat(x), 1, spec, new Rng(7), { clip: false });
      const s = stats(Array.from(out, (v) => v * 255));
      // 4 standard errors of the mean (salt-pepper: its spread is below 60 grey levels).
      expect(Math.abs(s.mean - mean)).toBeLessThan((4 * (Number.isNaN(std) ? 60 : std)) / Math.sqrt(N));
      if (!Number.isNaN(std)) expect(Math.abs(s.std / std - 1)).toBeLessThan(0.02);
    });
  }

  it('salt-pepper: the exact shares of salt, pepper and untouched samples', () => {
    const out = addNoise(flat(0.5), 1, { type: 'salt-pepper', amount: 0.1, saltRatio: 0.3 }, new Rng(3));
    const salt = out.filter((v) => v === 1).length / N;
    const pepper = out.filter((v) => v === 0).length / N;
    expect(salt).toBeCloseTo(0.03, 2);
    expect(pepper).toBeCloseTo(0.07, 2);
  });

  it('mask drops whole pixels (all channels together)', () => {
    const out = addNoise(flat(0.5, 3 * 1000), 3, { type: 'mask', fraction: 0.5 }, new Rng(1));
    for (let i = 0; i < 1000; i++) expect(out[i] === out[1000 + i] && out[i] === out[2000 + i]).toBe(true);
  });

  it('same seed, same noise; another seed, other noise', () => {
    const img = flat(0.4, 1000);
    const a = addNoise(img, 1, { type: 'poisson-gaussian', photons: 30, sigma: 5 }, new Rng(42));
    const b = addNoise(img, 1, { type: 'poisson-gaussian', photons: 30, sigma: 5 }, new Rng(42));
    const c = addNoise(img, 1, { type: 'poisson-gaussian', photons: 30, sigma: 5 }, new Rng(43));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    // Golden values: the first draws for seed 42 on every machine.
    const g = addNoise(flat(0.5, 3), 1, { type: 'gaussian', sigma: 25 }, new Rng(42), { clip: false });
    expect(Array.from(g, (v) => Math.round(v * 255 * 1000) / 1000)).toEqual([144.884, 142.197, 183.557]);
  });

  it('clipping keeps [0, 1]; without it values leave the range', () => {
    const clipped = addNoise(flat(0.98, 10000), 1, { type: 'gaussian', sigma: 30 }, new Rng(1));
    const free = addNoise(flat(0.98, 10000), 1, { type: 'gaussian', sigma: 30 }, new Rng(1), { clip: false });
    expect(Math.max(...clipped)).toBe(1);
    expect(Math.max(...free)).toBeGreaterThan(1.2);
  });

  it('Poisson sampler: mean and variance λ in both regimes; logGamma matches ln((n−1)!)', () => {
    for (const lambda of [0.5, 3, 9.9, 10, 55, 1000]) {
      const rng = new Rng(Math.round(lambda * 10));
      const draws = Array.from({ length: 100_000 }, () => poisson(rng, lambda));
      const s = stats(draws);
      expect(Math.abs(s.mean - lambda)).toBeLessThan(5 * Math.sqrt(lambda / 100_000));
      expect(Math.abs((s.std * s.std) / lambda - 1)).toBeLessThan(0.03);
      expect(draws.every((k) => Number.isInteger(k) && k >= 0)).toBe(true);
    }
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    expect(logGamma(101)).toBeCloseTo(363.73937555556347, 9);
  });

  it('--level parsing', () => {
    expect(parseNoiseLevel('poisson-gaussian', '30,5')).toEqual({ type: 'poisson-gaussian', photons: 30, sigma: 5 });
    expect(() => parseNoiseLevel('poisson-gaussian', '30')).toThrow(/needs --level photons,sigma/);
    expect(() => parseNoiseLevel('gaussian', 'abc')).toThrow(/must be a number/);
    expect(() => parseNoiseLevel('blur', '1')).toThrow(/unknown noise type 'blur'/);
    expect(() => parseNoiseLevel('mask', '1.5')).toThrow(/fraction must be in \[0, 1\]/);
  });
});

describe('blind noise estimate (wavelet MAD)', () => {
  /** The median by its definition: sort, take the middle (the mean of the middle two). */
  const sortedMedian = (v: Float32Array) => {
    const s = Float32Array.from(v).sort();
    const m = s.length >> 1;
    return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  };

  it('finds the median by selection, exactly as sorting does, runs of equal values included', () => {
    const rng = new Rng(11);
    const cases = [
      Float32Array.of(3),
      Float32Array.of(2, 1),
      Float32Array.from({ length: 1001 }, () => rng.uniform()),
      Float32Array.from({ length: 1000 }, () => rng.uniform()),
      Float32Array.from({ length: 5000 }, () => (rng.uniform() < 0.7 ? 0 : rng.uniform())), // flat areas
      Float32Array.from({ length: 4096 }, () => Math.floor(rng.uniform() * 4)), // few distinct values
      new Float32Array(999).fill(0.25),
      Float32Array.from({ length: 2000 }, (_, i) => i), // sorted
      Float32Array.from({ length: 2001 }, (_, i) => 2001 - i), // reversed
    ];
    for (const values of cases) expect(medianInPlace(values.slice()), `${values.length}`).toBe(sortedMedian(values));
  });

  it('reads the subband row by row and gives the very numbers of the whole-subband computation', () => {
    // The db2 diagonal subband with every row filtered first, then the median of a sorted copy.
    const hi = [-0.48296291314469025, 0.836516303737469, -0.22414386804185735, -0.12940952255092145];
    const reference = (plane: Float32Array, w: number, h: number) => {
      const ch = Math.floor((h - 4) / 2) + 1;
      const cw = Math.floor((w - 4) / 2) + 1;
      if (ch < 1 || cw < 1) return 0;
      const rows = new Float64Array(h * cw);
      for (let y = 0; y < h; y++)
        for (let j = 0; j < cw; j++) {
          const x = y * w + 2 * j;
          rows[y * cw + j] =
            hi[0]! * plane[x]! + hi[1]! * plane[x + 1]! + hi[2]! * plane[x + 2]! + hi[3]! * plane[x + 3]!;
        }
      const hh = new Float32Array(ch * cw);
      for (let i = 0; i < ch; i++)
        for (let j = 0; j < cw; j++) {
          const r = 2 * i * cw + j;
          const v =
            hi[0]! * rows[r]! + hi[1]! * rows[r + cw]! + hi[2]! * rows[r + 2 * cw]! + hi[3]! * rows[r + 3 * cw]!;
          hh[i * cw + j] = Math.abs(v);
        }
      return sortedMedian(hh) / 0.6744897501960817;
    };
    const rng = new Rng(12);
    for (const [w, h] of [
      [4, 4],
      [5, 9],
      [64, 48],
      [101, 77],
      [3, 50],
    ] as const) {
      const plane = Float32Array.from({ length: w * h }, () => rng.uniform());
      expect(estimateSigmaPlane(plane, w, h), `${w}×${h}`).toBe(reference(plane, w, h));
    }
  });

  const fx = JSON.parse(readFileSync(path.resolve('test/fixtures/imaging/skimage_metrics.json'), 'utf8'));
  it('agrees with skimage estimate_sigma on the noisy crops (within 8%)', async () => {
    const pairs = (fx.pairs as Array<{ test: string; estimate_sigma?: number }>).filter((p) => p.estimate_sigma);
    expect(pairs.length).toBe(6);
    for (const p of pairs) {
      const img = await readImage(path.resolve('test/fixtures/imaging/crops', p.test));
      expect(Math.abs(estimateNoiseSigma(img) / p.estimate_sigma! - 1)).toBeLessThan(0.08);
    }
  });

  for (const file of [
    'ssim/camera.png',
    'ssim/chelsea.png',
    'imaging/crops/astronaut_crop.png',
    'imaging/crops/coffee_crop.png',
  ]) {
    it(`recovers σ = 10, 25, 50 within 15% on ${file}`, async () => {
      const img = await readImage(path.resolve('test/fixtures', file));
      for (const sigma of [10, 25, 50]) {
        const noisy = addNoise(img.data, img.channels, { type: 'gaussian', sigma }, new Rng(sigma), { clip: false });
        const est = estimateNoiseSigma({ ...img, data: noisy });
        expect(Math.abs(est / sigma - 1)).toBeLessThan(0.15);
      }
    });
  }
});
