import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodeNpy } from '../../../main/files/npy.js';
import { Rng } from '../../../common/rng.js';
import { Tensor } from '../../../main/engine/ir/tensor.js';
import type { NoiseSpec } from '../../../common/noise-spec.js';
import { BatchSampler, makeBatch } from '../../../main/ml/train/batches.js';
import {
  decodeCheckpoint,
  encodeCheckpoint,
  readCheckpoint,
  writeCheckpoint,
  type Checkpoint,
} from '../../../main/ml/train/checkpoint.js';
import {
  DIGITS_FILE,
  PatchDataset,
  SampleDataset,
  loadDigits,
  loadImageFolder,
  loadNpyDataset,
  splitEveryKth,
} from '../../../main/ml/train/datasets.js';
import { tempDir } from '../../helpers/temp-dir.js';

const tmp = () => tempDir('dl-train-data-');

describe('digits', () => {
  it('loads 1,797 labelled 8×8 digits scaled from 0–16 to [0, 1]', async () => {
    const ds = await loadDigits();
    expect(ds.length).toBe(1797);
    expect(ds.sampleShape).toEqual([64]);
    const first = gunzipSync(readFileSync(DIGITS_FILE)).toString().split('\n')[0]!.split(',').map(Number);
    const out = new Float32Array(64);
    ds.sample(0, out);
    expect(Array.from(out)).toEqual(first.slice(0, 64).map((v) => Math.fround(v / 16)));
    expect(ds.labels![0]).toBe(first[64]);
    const counts = new Array(10).fill(0);
    for (const l of ds.labels!) counts[l]++;
    expect(counts.every((c) => c > 170 && c < 190)).toBe(true);
    const { train, test } = splitEveryKth(ds);
    expect(train.length + test.length).toBe(1797);
    expect(test.length).toBe(359);
    expect(ds.reshaped([1, 8, 8]).sampleShape).toEqual([1, 8, 8]);
  });
});

describe('.npy datasets', () => {
  it('N×D whole samples, N×C×H×W random patches; bad arrays are refused with a reason', async () => {
    const dir = tmp();
    const vec = Float32Array.from({ length: 5 * 4 }, (_, i) => i / 20);
    writeFileSync(path.join(dir, 'v.npy'), encodeNpy(vec, [5, 4]));
    const v = await loadNpyDataset(path.join(dir, 'v.npy'));
    expect(v).toBeInstanceOf(SampleDataset);
    expect([v.length, ...v.sampleShape]).toEqual([5, 4]);
    const out = new Float32Array(4);
    v.sample(3, out, new Rng(1));
    expect(Array.from(out)).toEqual(Array.from(vec.subarray(12, 16)));

    const img = Float32Array.from({ length: 2 * 1 * 6 * 6 }, (_, i) => (i % 36) / 36 + Math.floor(i / 36) * 0.01);
    writeFileSync(path.join(dir, 'i.npy'), encodeNpy(img, [2, 1, 6, 6]));
    const whole = await loadNpyDataset(path.join(dir, 'i.npy'));
    expect(whole.sampleShape).toEqual([1, 6, 6]);
    const p = await loadNpyDataset(path.join(dir, 'i.npy'), { patch: 3 });
    expect(p).toBeInstanceOf(PatchDataset);
    expect(p.sampleShape).toEqual([1, 3, 3]);
    expect(p.length).toBe(2 * 4); // non-overlapping tiles per epoch
    const crop = new Float32Array(9);
    p.sample(0, crop, new Rng(2));
    // A crop is a contiguous 3×3 window of one image (no augmentation): consecutive columns differ by 1/36.
    expect(crop[1]! - crop[0]!).toBeCloseTo(1 / 36, 6);
    expect(crop[3]! - crop[0]!).toBeCloseTo(6 / 36, 6);

    const bad = async (name: string, data: Buffer) => {
      writeFileSync(path.join(dir, name), data);
      return loadNpyDataset(path.join(dir, name));
    };
    await expect(bad('nan.npy', encodeNpy(Float32Array.of(0, NaN, 0, 0), [2, 2]))).rejects.toThrow(/must be finite/);
    await expect(bad('255.npy', encodeNpy(Float32Array.of(0, 255, 3, 4), [2, 2]))).rejects.toThrow(/\[0, 1\] scale/);
    await expect(bad('1d.npy', encodeNpy(Float32Array.of(0, 1), [2]))).rejects.toThrow(/not N×D/);
    await expect(bad('trunc.npy', encodeNpy(vec, [5, 4]).subarray(0, 100))).rejects.toThrow(/truncated/);
    await expect(bad('empty.npy', Buffer.alloc(0))).rejects.toThrow(/not a .npy file/);
    await expect(loadNpyDataset(path.join(dir, 'v.npy'), { patch: 2 })).rejects.toThrow(/--patch needs images/);
    await expect(loadNpyDataset(path.join(dir, 'missing.npy'))).rejects.toThrow(/no such file/);
  });
});

describe('image folders', () => {
  it('cuts grey or colour patches; every augmented patch is a symmetry of a crop', async () => {
    const dir = tmp();
    const w = 10;
    const h = 8;
    const rgb = Buffer.alloc(w * h * 3);
    for (let i = 0; i < w * h; i++) {
      rgb[3 * i] = i; // R encodes the pixel index
      rgb[3 * i + 1] = 100;
      rgb[3 * i + 2] = 200;
    }
    await sharp(rgb, { raw: { width: w, height: h, channels: 3 } })
      .png()
      .toFile(path.join(dir, 'a.png'));
    writeFileSync(path.join(dir, 'notes.txt'), 'not an image');
    const colour = await loadImageFolder(dir, { patch: 4, channels: 3, augment: true });
    expect(colour.sampleShape).toEqual([3, 4, 4]);
    expect(colour.length).toBe(2 * 2);
    const rng = new Rng(9);
    const out = new Float32Array(3 * 16);
    for (let k = 0; k < 20; k++) {
      colour.sample(0, out, rng);
      const idx = Array.from(out.subarray(0, 16), (v) => Math.round(v * 255));
      // Rows and columns of a crop, in any of the 8 symmetries, are runs of pixel indices with
      // steps ±1 and ±w; the min index's (x, y) places a 4×4 window inside the image.
      const min = Math.min(...idx);
      const sorted = [...idx].sort((a, b) => a - b);
      const expected = [0, 1, 2, 3].flatMap((r) => [0, 1, 2, 3].map((c) => min + r * w + c));
      expect(sorted).toEqual(expected);
      expect(out[16]).toBeCloseTo(100 / 255, 6);
      expect(out[32]).toBeCloseTo(200 / 255, 6);
    }
    const grey = await loadImageFolder(dir, { patch: 4, channels: 1 });
    expect(grey.sampleShape).toEqual([1, 4, 4]);
    const g = new Float32Array(16);
    grey.sample(0, g, new Rng(1));
    expect(Math.min(...g)).toBeGreaterThan((0.587 * 100 + 0.114 * 200) / 255 - 1e-6);

    const empty = path.join(dir, 'empty');
    mkdirSync(empty);
    await expect(loadImageFolder(empty, { patch: 4, channels: 1 })).rejects.toThrow(/no image files/);
    await expect(loadImageFolder(dir, { patch: 9, channels: 1 })).rejects.toThrow(/smaller than the 9×9 patch/);
    await expect(loadImageFolder(path.join(dir, 'nope'), { patch: 4, channels: 1 })).rejects.toThrow(/no such folder/);
  });
});

describe('batches', () => {
  it('without shuffling walks the data in order and wraps across epochs', () => {
    const s = new BatchSampler(5, false, new Rng(1));
    expect(Array.from(s.next(3))).toEqual([0, 1, 2]);
    expect(Array.from(s.next(3))).toEqual([3, 4, 0]);
    expect([s.epoch, s.cursor]).toEqual([1, 1]);
  });

  it('shuffles with the seeded Rng and resumes exactly from (order, epoch, cursor, rng state)', () => {
    const rng = new Rng(42);
    const s = new BatchSampler(7, true, rng);
    expect([...s.order].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    s.next(4);
    const saved = { order: s.order.slice(), epoch: s.epoch, cursor: s.cursor, rng: rng.state() };
    const rest = [s.next(4), s.next(4), s.next(4)].map((b) => Array.from(b));
    const rng2 = Rng.fromState(saved.rng);
    const s2 = new BatchSampler(7, true, rng2, saved);
    expect([s2.next(4), s2.next(4), s2.next(4)].map((b) => Array.from(b))).toEqual(rest);
  });

  it('adds noise on the 0–255 scale, draws ε for a VAE and a per-sample noise-level map', () => {
    const data = new SampleDataset('flat', [1, 16, 16], new Float32Array(4 * 256).fill(0.5));
    const spec = {
      batch: 4,
      sampleShape: [1, 16, 16],
      noise: { type: 'gaussian' as const, sigma: 25 },
      epsShape: [3],
      noiseLevelMap: false,
    };
    const b = makeBatch(data, Int32Array.of(0, 1, 2, 3), spec, new Rng(1));
    const d = Array.from(b.x.data as Float32Array, (v, i) => v - (b.y.data as Float32Array)[i]!);
    const mean = d.reduce((a, v) => a + v, 0) / d.length;
    const std = Math.sqrt(d.reduce((a, v) => a + (v - mean) ** 2, 0) / d.length);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(std / (25 / 255)).toBeGreaterThan(0.9);
    expect(std / (25 / 255)).toBeLessThan(1.1);
    expect(b.eps!.shape).toEqual([4, 3]);
    const clean = makeBatch(data, Int32Array.of(0, 1, 2, 3), { ...spec, noise: null, epsShape: null }, new Rng(1));
    expect(clean.x).toBe(clean.y);

    const nl = makeBatch(data, Int32Array.of(0, 1, 2, 3), { ...spec, epsShape: null, noiseLevelMap: true }, new Rng(3));
    const map = nl.noiseLevel!.data as Float32Array;
    expect(nl.noiseLevel!.shape).toEqual([4, 1, 16, 16]);
    for (let i = 0; i < 4; i++) {
      const level = map[i * 256]!;
      expect(level).toBeGreaterThanOrEqual(0);
      expect(level).toBeLessThanOrEqual(25 / 255);
      expect(map.subarray(i * 256, (i + 1) * 256).every((v) => v === level)).toBe(true);
      // The sample's noise has the level its map says.
      const dx = Array.from((nl.x.data as Float32Array).subarray(i * 256, (i + 1) * 256), (v) => v - 0.5);
      const sd = Math.sqrt(dx.reduce((a, v) => a + v * v, 0) / 256);
      expect(Math.abs(sd - level)).toBeLessThan(0.2 * level + 1e-6);
    }
  });
});

/** A batch of samples 0…n−1 for a noise-level-map model. */
function noiseMapBatch(data: SampleDataset, n: number, sampleShape: number[], noise: NoiseSpec, seed: number) {
  const indices = Int32Array.from({ length: n }, (_, i) => i);
  return makeBatch(data, indices, { batch: n, sampleShape, noise, epsShape: null, noiseLevelMap: true }, new Rng(seed));
}

describe('noise-level maps for Poisson–Gaussian training noise', () => {
  it("states each sample's RMS noise level and quantises half of the inputs to 8 bits", () => {
    const n = 64;
    const data = new SampleDataset('flat', [1, 32, 32], new Float32Array(n * 1024).fill(0.5));
    const b = noiseMapBatch(data, n, [1, 32, 32], { type: 'poisson-gaussian', photons: 16, sigma: 75 }, 11);
    const x = b.x.data as Float32Array;
    const map = b.noiseLevel!.data as Float32Array;
    let quantised = 0;
    let aboveRead = 0;
    for (let i = 0; i < n; i++) {
      const level = map[i * 1024]! * 255;
      const sample = x.subarray(i * 1024, (i + 1) * 1024);
      const sd = Math.sqrt(sample.reduce((a, v) => a + (v - 0.5) ** 2, 0) / 1024) * 255;
      // The largest level: 75 read noise plus shot noise of 16 photons at mid-grey (√(0.5/16)·255 ≈ 45).
      expect(level).toBeLessThanOrEqual(Math.hypot(75, 255 * Math.sqrt(0.5 / 16)) + 1e-3);
      if (level > 5) expect(Math.abs(sd - level) / level, `sample ${i}`).toBeLessThan(0.25);
      if (sample.every((v) => Math.abs(v * 255 - Math.round(v * 255)) < 1e-4)) quantised++;
      if (level > 75) aboveRead++;
    }
    expect(quantised).toBeGreaterThan(n * 0.3);
    expect(quantised).toBeLessThan(n * 0.7);
    expect(aboveRead).toBeGreaterThan(0); // shot noise adds to the read noise in some samples
  });
});

describe('grey samples for colour noise-level-map models', () => {
  it('makes a quarter of RGB samples grey (BT.601 luma), target and noise alike in all three channels', () => {
    const n = 200;
    const hw = 8 * 8;
    const rgb = new Float32Array(n * 3 * hw);
    for (let i = 0; i < n; i++) {
      rgb.fill(0.8, i * 3 * hw, i * 3 * hw + hw);
      rgb.fill(0.4, i * 3 * hw + hw, i * 3 * hw + 2 * hw);
      rgb.fill(0.1, i * 3 * hw + 2 * hw, (i + 1) * 3 * hw);
    }
    const data = new SampleDataset('flat', [3, 8, 8], rgb);
    const b = noiseMapBatch(data, n, [3, 8, 8], { type: 'gaussian', sigma: 50 }, 5);
    const x = b.x.data as Float32Array;
    const y = b.y.data as Float32Array;
    const sameInPlanes = (a: Float32Array, i: number) => {
      const s = a.subarray(i * 3 * hw, (i + 1) * 3 * hw);
      for (let k = 0; k < hw; k++) if (s[k] !== s[hw + k] || s[k] !== s[2 * hw + k]) return false;
      return true;
    };
    let grey = 0;
    for (let i = 0; i < n; i++) {
      if (!sameInPlanes(y, i)) {
        expect(y[i * 3 * hw]).toBe(Math.fround(0.8)); // colour samples keep their colour
        continue;
      }
      grey++;
      expect(y[i * 3 * hw]).toBeCloseTo(0.299 * 0.8 + 0.587 * 0.4 + 0.114 * 0.1, 6);
      expect(sameInPlanes(x, i), `noise of grey sample ${i}`).toBe(true);
    }
    expect(grey).toBeGreaterThan(n * 0.15);
    expect(grey).toBeLessThan(n * 0.35);
  });
});

describe('checkpoints', () => {
  const sample = (): Checkpoint => ({
    state: {
      architecture: { any: 'json' },
      step: 12,
      epoch: 1,
      cursor: 3,
      rng: new Rng(5).state(),
      config: { batch: 2 },
      best: null,
    },
    tensors: new Map([
      [
        'conv0.weight',
        new Tensor(
          'float32',
          [2, 1, 3, 3],
          Float32Array.from({ length: 18 }, (_, i) => Math.fround(Math.PI * i) / 7),
        ),
      ],
      ['m/conv0.weight', new Tensor('float64', [3], [1e-300, -0, 5e-324])],
    ]),
    order: Int32Array.of(2, 0, 1),
  });

  it('round-trips bit for bit and writes atomically', async () => {
    const ck = sample();
    const back = decodeCheckpoint(encodeCheckpoint(ck));
    expect(back.state).toEqual(ck.state);
    expect(Array.from(back.order)).toEqual([2, 0, 1]);
    for (const [k, t] of ck.tensors) {
      expect(back.tensors.get(k)!.dtype).toBe(t.dtype);
      expect(Buffer.from(back.tensors.get(k)!.data.buffer).equals(Buffer.from(t.data.buffer))).toBe(true);
    }
    const dir = tmp();
    const file = path.join(dir, 'run.ckpt');
    await writeCheckpoint(file, ck);
    await writeCheckpoint(file, { ...ck, state: { ...ck.state, step: 13 } });
    expect((await readCheckpoint(file)).state.step).toBe(13);
    expect(readdirSync(dir)).toEqual(['run.ckpt']);
  });

  it('refuses damaged files with a clear message', async () => {
    const bytes = encodeCheckpoint(sample());
    expect(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 5))).toThrow(/truncated/);
    expect(() => decodeCheckpoint(bytes.subarray(0, 30))).toThrow(/truncated checkpoint header/);
    expect(() => decodeCheckpoint(Buffer.from('hello world, not a checkpoint'))).toThrow(
      /not a Denoise Lab checkpoint/,
    );
    const dir = tmp();
    writeFileSync(path.join(dir, 'zero.ckpt'), '');
    await expect(readCheckpoint(path.join(dir, 'zero.ckpt'))).rejects.toThrow(/empty file/);
    await expect(readCheckpoint(path.join(dir, 'none.ckpt'))).rejects.toThrow(/no such checkpoint/);
  });
});
