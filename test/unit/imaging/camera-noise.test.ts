import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../common/rng.js';
import { readImage } from '../../../main/imaging/codec.js';
import { createImage, type Image } from '../../../main/imaging/image.js';
import { psnr } from '../../../main/imaging/metrics.js';
import { addSensorNoise, compressJpeg, simulateCameraNoise, unprocess } from '../../../main/imaging/camera/pipeline.js';
import {
  SHOT_BANDS,
  resolveCameraParams,
  sampleCameraParams,
  type CameraNoiseParams,
  type CameraPipeline,
} from '../../../main/imaging/camera/params.js';

const OFF = { sharpen: { amount: 0, sigma: 1 }, chromaDenoise: { strength: 0, sigma: 1 }, jpegQuality: null };

/** A camera with every parameter fixed (so only the noise differs between seeds). */
const camera = (params: CameraNoiseParams, seed = 5): CameraPipeline =>
  resolveCameraParams({ ...OFF, ...params }, new Rng(seed));

function flatImage(size: number, rgb: [number, number, number]): Image {
  const image = createImage(size, size, 3);
  const n = size * size;
  rgb.forEach((v, c) => image.data.fill(v, c * n, (c + 1) * n));
  return image;
}

/** A smooth colourful 64×64 image (no detail demosaicking could lose), values in [0.05, 0.85]. */
function smoothImage(size = 64): Image {
  const image = createImage(size, size, 3);
  const n = size * size;
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++)
        image.data[c * n + y * size + x] = 0.45 + 0.4 * Math.sin((x / size) * Math.PI * (1 + c * 0.5) + y / 40 + c);
  return image;
}

function linearFit(xs: number[], ys: number[]): { slope: number; intercept: number } {
  const mx = xs.reduce((s, v) => s + v, 0) / xs.length;
  const my = ys.reduce((s, v) => s + v, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i]! - my);
    sxx += (x - mx) ** 2;
  });
  return { slope: sxy / sxx, intercept: my - (sxy / sxx) * mx };
}

/** Pearson correlation of horizontally adjacent samples of a W-wide plane. */
function neighbourCorrelation(e: Float32Array | Float64Array, width: number): number {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i + 1 < e.length; i++) {
    if ((i + 1) % width === 0) continue; // no pair across rows
    a.push(e[i]!);
    b.push(e[i + 1]!);
  }
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const ma = mean(a);
  const mb = mean(b);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  a.forEach((x, i) => {
    sab += (x - ma) * (b[i]! - mb);
    saa += (x - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  });
  return sab / Math.sqrt(saa * sbb);
}

describe('camera noise: the sensor', () => {
  it('raw variance follows shot·x + read (regression over 12 intensity bins of unprocessed data)', () => {
    const shot = 0.008;
    const read = 2e-4;
    const p = camera({ shot, read, cfa: 'RGGB' });
    // A horizontal ramp of display values; the raw values follow from unprocessing.
    const w = 256;
    const h = 128;
    const image = createImage(w, h, 3);
    for (let i = 0; i < image.data.length; i++) image.data[i] = 0.05 + (0.85 * (i % w)) / w;
    const { raw } = unprocess(image.data, w, h, p);
    const noisy = addSensorNoise(raw, shot, read, new Rng(1));
    const bins = Array.from({ length: 12 }, () => ({ n: 0, x: 0, e2: 0 }));
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of raw) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    raw.forEach((x, i) => {
      const bin = bins[Math.min(11, Math.floor(((x - lo) / (hi - lo)) * 12))]!;
      bin.n++;
      bin.x += x;
      bin.e2 += (noisy[i]! - x) ** 2; // the noise has mean 0, so this is the variance
    });
    const used = bins.filter((b) => b.n > 500);
    expect(used.length).toBeGreaterThanOrEqual(10);
    const fit = linearFit(
      used.map((b) => b.x / b.n),
      used.map((b) => b.e2 / b.n),
    );
    // Measured: slope 0.00789 (−1.3 %), intercept 1.86e-4 (32 768 samples, ~2 700 a bin; the
    // variance estimates' own standard error is ≈ 3 % a bin).
    expect(Math.abs(fit.slope / shot - 1)).toBeLessThan(0.03);
    expect(Math.abs(fit.intercept - read)).toBeLessThan(2e-5);
  });

  it('raw noise is white; after demosaicking and processing it is spatially correlated', () => {
    const size = 128;
    const image = flatImage(size, [0.5, 0.45, 0.4]);
    const n = size * size;
    const raw = new Float32Array(n).fill(0.1);
    const noisyRaw = addSensorNoise(raw, 0.004, 1e-4, new Rng(2));
    const rawCorrelation = neighbourCorrelation(
      Float32Array.from(noisyRaw, (v) => v - 0.1),
      size,
    );
    for (const demosaic of ['bilinear', 'mhc'] as const) {
      const p = camera({ shot: 0.004, read: 1e-4, demosaic });
      const { noisy, clean } = simulateCameraNoise(image, p, new Rng(3), { clean: true });
      const green = Float64Array.from({ length: n }, (_, i) => noisy.data[n + i]! - clean!.data[n + i]!);
      const c = neighbourCorrelation(green, size);
      // Measured (green, horizontal neighbours): bilinear 0.42, MHC 0.39; raw −0.001.
      expect(c, demosaic).toBeGreaterThan(0.15);
    }
    expect(Math.abs(rawCorrelation)).toBeLessThan(0.02); // ≈ 3 standard errors of r at n = 16 256
  });
});

describe('camera noise: the noise map', () => {
  // Empirical σ per pixel over many seeds, averaged (as variance) over the interior of a flat
  // patch and compared with the map's RMS there. 8-bit rounding adds 1/12 grey level² to the
  // empirical variance, which the map leaves out by design, so it is added to the map's side.
  const cases: Array<[string, CameraNoiseParams, [number, number, number]]> = [
    ['bilinear, mid-grey, high level', { shot: 4e-3, read: 2e-5, demosaic: 'bilinear', cfa: 'RGGB' }, [0.5, 0.45, 0.4]],
    ['MHC, dark blue, medium level', { shot: 1e-3, read: 5e-6, demosaic: 'mhc', cfa: 'GBRG' }, [0.2, 0.25, 0.35]],
    [
      'MHC + sharpening + chroma NR, bright',
      {
        shot: 3e-3,
        read: 1e-5,
        demosaic: 'mhc',
        cfa: 'BGGR',
        sharpen: { amount: 0.8, sigma: 1 },
        chromaDenoise: { strength: 0.7, sigma: 1.5 },
      },
      [0.7, 0.65, 0.6],
    ],
    [
      'wide blurs (σ 3): the impulse responses must not reach a border',
      {
        shot: 3e-3,
        read: 1e-5,
        demosaic: 'bilinear',
        cfa: 'GRBG',
        sharpen: { amount: 1, sigma: 3 },
        chromaDenoise: { strength: 0.9, sigma: 3 },
      },
      [0.45, 0.5, 0.55],
    ],
  ];
  for (const [name, params, colour] of cases)
    it(`matches the empirical σ on a flat patch within 4 %: ${name}`, () => {
      // Wide blurs need a wider patch to keep the interior away from the borders' reflections.
      const wide = (params.sharpen?.sigma ?? 0) > 2;
      const size = wide ? 40 : 24;
      const n = size * size;
      const seeds = wide ? 30 : 120;
      const margin = wide ? 13 : 6;
      const p = camera(params);
      const image = flatImage(size, colour);
      const sum = new Float64Array(3 * n);
      const sum2 = new Float64Array(3 * n);
      let map: Float32Array = new Float32Array(0);
      for (let s = 0; s < seeds; s++) {
        const r = simulateCameraNoise(image, p, new Rng(1000 + s));
        map = r.noiseMap;
        for (let i = 0; i < 3 * n; i++) {
          const v = r.noisy.data[i]! * 255;
          sum[i]! += v;
          sum2[i]! += v * v;
        }
      }
      for (let c = 0; c < 3; c++) {
        let empirical = 0;
        let predicted = 0;
        let count = 0;
        for (let y = margin; y < size - margin; y++)
          for (let x = margin; x < size - margin; x++) {
            const i = c * n + y * size + x;
            const mean = sum[i]! / seeds;
            empirical += ((sum2[i]! / seeds - mean * mean) * seeds) / (seeds - 1);
            predicted += map[i]! ** 2 + 1 / 12;
            count++;
          }
        const ratio = Math.sqrt(empirical / count) / Math.sqrt(predicted / count);
        // Measured ratios empirical / map: 1.002–1.013 (bilinear), 0.992–1.019 (MHC, dark),
        // 0.998–1.008 (sharpened, chroma-denoised), 0.996–1.005 (wide blurs). With 144 pixels ×
        // 120 seeds (wide: 196 × 30) the σ estimate's own standard error is ≈ 0.6 % (1.1 %); the rest
        // is the linearisation.
        expect(Math.abs(ratio - 1), `channel ${c}`).toBeLessThan(0.04);
      }
    });

  it('is 0 without noise and grows with the level', () => {
    const image = smoothImage(32);
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(simulateCameraNoise(image, camera({ shot: 0, read: 0 }), new Rng(1)).noiseMap)).toBe(0);
    const levels = (['low', 'medium', 'high'] as const).map((level) =>
      mean(simulateCameraNoise(image, camera({ level }, 9), new Rng(1)).noiseMap),
    );
    // Measured mean σ on this image: low 4.0, medium 8.9, high 19.3 grey levels.
    expect(levels[0]).toBeLessThan(levels[1]!);
    expect(levels[1]).toBeLessThan(levels[2]!);
  });
});

describe('camera noise: the pipeline', () => {
  it('without noise returns the input up to demosaicking and 8 bits (smooth image; real crop)', async () => {
    // What is left: demosaicking's interpolation error (largest at the 2-pixel border, where
    // mirroring turns a slope into a ridge, so the border is left out of the worst case), the
    // lookup tables (< 1e-5) and 8-bit rounding (½ grey level). MHC borrows detail across
    // channels, which costs it on this image whose channels curve differently and wins on photos.
    // This is why a denoiser's target should be `clean` (the same pipeline without noise), not
    // the original: demosaicking loses 5–18 dB of fine detail that no denoiser should invent.
    const size = 64;
    const smooth = smoothImage(size);
    const n = size * size;
    // Measured over three cameras: worst 1.13–1.17 (bilinear), 2.46–2.78 (MHC) grey levels;
    // PSNR 49.1–50.5 dB (bilinear), 47.0–47.2 dB (MHC).
    const limits = { bilinear: { worst: 1.5, psnr: 48.8 }, mhc: { worst: 3.1, psnr: 46.7 } };
    for (const demosaic of ['bilinear', 'mhc'] as const)
      for (const seed of [1, 2, 3]) {
        const p = camera({ shot: 0, read: 0, demosaic }, seed);
        const { noisy } = simulateCameraNoise(smooth, p, new Rng(1));
        let worst = 0;
        for (let c = 0; c < 3; c++)
          for (let y = 2; y < size - 2; y++)
            for (let x = 2; x < size - 2; x++) {
              const i = c * n + y * size + x;
              worst = Math.max(worst, Math.abs(noisy.data[i]! - smooth.data[i]!) * 255);
            }
        expect(worst, `${demosaic} ${seed}`).toBeLessThan(limits[demosaic].worst);
        expect(psnr(noisy.data, smooth.data), `${demosaic} ${seed}`).toBeGreaterThan(limits[demosaic].psnr);
      }
    // A real 96×96 crop (measured: bilinear 27.41 dB, MHC 32.26 dB; floors measured − 0.3).
    const crop = await readImage(path.join(__dirname, '../../fixtures/imaging/crops/astronaut_crop.png'));
    for (const [demosaic, floor] of [
      ['bilinear', 27.1],
      ['mhc', 31.95],
    ] as const) {
      const { noisy } = simulateCameraNoise(crop, camera({ shot: 0, read: 0, demosaic }), new Rng(1));
      expect(psnr(noisy.data, crop.data), demosaic).toBeGreaterThan(floor);
    }
  });

  it('the same seed gives identical bytes; another seed other noise', () => {
    const image = smoothImage(32);
    const run = (seed: number) => simulateCameraNoise(image, { level: 'medium' }, new Rng(seed), { clean: true });
    const a = run(7);
    const b = run(7);
    const c = run(8);
    expect(Buffer.from(a.noisy.data.buffer).equals(Buffer.from(b.noisy.data.buffer))).toBe(true);
    expect(Buffer.from(a.noiseMap.buffer).equals(Buffer.from(b.noiseMap.buffer))).toBe(true);
    expect(a.pipeline).toEqual(b.pipeline);
    expect(Buffer.from(a.noisy.data.buffer).equals(Buffer.from(c.noisy.data.buffer))).toBe(false);
    // The same camera with another seed: only the noise differs, not the clean target.
    const d = simulateCameraNoise(image, a.pipeline, new Rng(99), { clean: true });
    expect(Buffer.from(d.clean!.data.buffer).equals(Buffer.from(a.clean!.data.buffer))).toBe(true);
    const differing = a.noisy.data.filter((v, i) => v !== d.noisy.data[i]).length;
    expect(differing / a.noisy.data.length).toBeGreaterThan(0.5);
  });

  it('gray photos are processed as RGB and come back with 3 channels; alpha is kept', () => {
    const gray = createImage(8, 6, 1, { alpha: true });
    gray.data.fill(0.4);
    const { noisy, noiseMap } = simulateCameraNoise(gray, { level: 'low' }, new Rng(1));
    expect(noisy.channels).toBe(3);
    expect(noisy.data.length).toBe(3 * 48);
    expect(noiseMap.length).toBe(3 * 48);
    expect(noisy.alpha).toBe(gray.alpha);
  });

  it('the JPEG step compresses at the camera’s quality (lower quality, larger error)', async () => {
    const crop = await readImage(path.join(__dirname, '../../fixtures/imaging/crops/astronaut_crop.png'));
    const { noisy } = simulateCameraNoise(crop, camera({ level: 'medium' }), new Rng(4));
    const q60 = await compressJpeg(noisy, 60);
    const q98 = await compressJpeg(noisy, 98);
    expect([q60.width, q60.height, q60.channels]).toEqual([noisy.width, noisy.height, 3]);
    const p60 = psnr(q60.data, noisy.data);
    const p98 = psnr(q98.data, noisy.data);
    // Measured: quality 60 → 27.9 dB, 98 → 43.0 dB against the uncompressed noisy image.
    expect(p98).toBeGreaterThan(p60 + 5);
    expect(p60).toBeLessThan(40);
  });
});

describe('camera noise: parameters', () => {
  it('sampleCameraParams draws the paper’s noise levels: read tied to shot by log r = 2.18 log s + 1.2 + N(0, 0.26)', () => {
    const rng = new Rng(21);
    const draws = Array.from({ length: 4000 }, () => sampleCameraParams(rng));
    const ls = draws.map((d) => Math.log(d.shot));
    const lr = draws.map((d) => Math.log(d.read));
    expect(Math.min(...ls)).toBeGreaterThanOrEqual(Math.log(1e-4));
    expect(Math.max(...ls)).toBeLessThanOrEqual(Math.log(1.2e-2));
    const fit = linearFit(ls, lr);
    const residual = Math.sqrt(
      lr.reduce((s, v, i) => s + (v - fit.slope * ls[i]! - fit.intercept) ** 2, 0) / lr.length,
    );
    // Measured on 4 000 draws: slope 2.175, intercept 1.168, residual σ 0.257.
    expect(Math.abs(fit.slope - 2.18)).toBeLessThan(0.03);
    expect(Math.abs(fit.intercept - 1.2)).toBeLessThan(0.2);
    expect(Math.abs(residual - 0.26)).toBeLessThan(0.015);
    // Varied cameras: every phase and method, gains in the paper's ranges, each finishing step
    // about half of the time.
    for (const cfa of ['RGGB', 'BGGR', 'GRBG', 'GBRG'])
      expect(draws.filter((d) => d.cfa === cfa).length).toBeGreaterThan(850);
    expect(draws.filter((d) => d.demosaic === 'mhc').length).toBeGreaterThan(1850);
    expect(draws.every((d) => d.redGain >= 1.9 && d.redGain <= 2.4 && d.blueGain >= 1.5 && d.blueGain <= 1.9)).toBe(
      true,
    );
    const share = (f: (d: CameraPipeline) => boolean) => draws.filter(f).length / draws.length;
    for (const s of [
      share((d) => d.sharpen.amount > 0),
      share((d) => d.chromaDenoise.strength > 0),
      share((d) => d.jpegQuality !== null),
    ])
      expect(Math.abs(s - 0.5)).toBeLessThan(0.03);
    const qualities = draws.flatMap((d) => (d.jpegQuality === null ? [] : [d.jpegQuality]));
    expect([Math.min(...qualities), Math.max(...qualities)]).toEqual([60, 98]);
  });

  it('levels draw shot noise inside their bands; explicit values win; fixing one field leaves the others', () => {
    for (const level of ['low', 'medium', 'high'] as const) {
      const rng = new Rng(3);
      for (let i = 0; i < 200; i++) {
        const { shot } = resolveCameraParams({ level }, rng);
        expect(shot).toBeGreaterThanOrEqual(SHOT_BANDS[level][0]);
        expect(shot).toBeLessThanOrEqual(SHOT_BANDS[level][1]);
      }
    }
    const free = resolveCameraParams({}, new Rng(8));
    const fixed = resolveCameraParams({ shot: 1e-3, read: 1e-6, cfa: 'GRBG' }, new Rng(8));
    expect([fixed.shot, fixed.read, fixed.cfa]).toEqual([1e-3, 1e-6, 'GRBG']);
    expect({ ...fixed, shot: 0, read: 0, cfa: 'RGGB' }).toEqual({ ...free, shot: 0, read: 0, cfa: 'RGGB' });
    // A resolved pipeline is a plain object that survives JSON and resolves to itself.
    expect(resolveCameraParams(JSON.parse(JSON.stringify(free)) as CameraNoiseParams, new Rng(1))).toEqual(free);
  });

  it('rejects absurd parameters with one clear line', () => {
    const bad: Array<[CameraNoiseParams, RegExp]> = [
      [{ level: 'extreme' as 'low' }, /level must be one of low, medium, high/],
      [{ shot: -1 }, /shot noise must be a variance in \[0, 1\]/],
      [{ read: Number.NaN }, /read noise/],
      [{ cfa: 'RGBG' as 'RGGB' }, /Bayer pattern must be one of RGGB, BGGR, GRBG, GBRG/],
      [{ demosaic: 'ahd' as 'mhc' }, /demosaicking must be one of bilinear, mhc/],
      [{ cameraMix: [1, 2] }, /camera mix must be 4 non-negative weights/],
      [{ redGain: 0 }, /red gain must be in/],
      [{ sharpen: { amount: 9, sigma: 1 } }, /sharpening/],
      [{ jpegQuality: 101 }, /JPEG quality must be an integer in 1–100/],
    ];
    for (const [params, message] of bad) expect(() => resolveCameraParams(params, new Rng(1))).toThrow(message);
    expect(() => simulateCameraNoise(createImage(1, 5, 3), {}, new Rng(1))).toThrow(/at least 2×2 pixels/);
  });
});
