// The noise estimator's path from a photo to the model's per-pixel noise map: found beside the
// model, calibrated by its JSON, cut into tiles with the photo, scaled by the strength, and reported
// by the CLI. The fixture denoiser blur5_rgb_sigma adds its noise-level input to a 5×5 blur, so its
// output minus the plain blur is exactly the map it was given.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { preset } from '../../../common/model/index.js';
import { readImage } from '../../../main/imaging/codec.js';
import type { Image } from '../../../main/imaging/image.js';
import { noiseGrain } from '../../../main/imaging/noise-grain.js';
import { simulateCameraNoise } from '../../../main/imaging/camera/index.js';
import { Rng } from '../../../common/rng.js';
import { denoiseImage } from '../../../main/ml/inference/denoise.js';
import {
  boxSmooth,
  estimatorFileFor,
  levelByBrightness,
  openNoiseEstimator,
} from '../../../main/ml/inference/noise-map.js';
import { openOnnxModel } from '../../../main/ml/inference/onnx-runner.js';
import { exportOnnx, modelCard } from '../../../main/ml/model-file.js';
import { initialParams } from '../../../main/ml/train/trainer.js';
import { cli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/temp-dir.js';

const FIX = path.resolve('test/fixtures/imaging');
const PHOTO = path.join(FIX, 'crops/astronaut_gaussian25.png');
let dir: string;
let model: string;
let photo: Image;

function median(a: Float32Array): number {
  const s = Array.from(a).sort((x, y) => x - y);
  return s[s.length >> 1]!;
}

beforeAll(async () => {
  dir = tempDir('noise-map-');
  model = path.join(dir, 'm.onnx');
  copyFileSync(path.join(FIX, 'models/blur5_rgb_sigma.onnx'), model);
  // An untrained estimator of the shipped layout: its readings are arbitrary but fixed by the seed.
  const arch = preset('camera-estimator')!;
  writeFileSync(path.join(dir, 'm.estimator.onnx'), exportOnnx(arch, initialParams(arch, 7), modelCard(arch, {})));
  writeFileSync(
    path.join(dir, 'm.estimator.json'),
    JSON.stringify({ name: 'test estimator', calibration: { quantile: 0.5, offset: 0, gain: 0.5 } }),
  );
  photo = await readImage(PHOTO);
});

/**
 * A copy of the fixture denoiser named `name`, with the test estimator beside it and `calibration`
 * as its calibration file; returns the model's path.
 */
function modelWithCalibration(name: string, calibration: Record<string, number | readonly number[]>): string {
  const file = path.join(dir, `${name}.onnx`);
  copyFileSync(model, file);
  copyFileSync(path.join(dir, 'm.estimator.onnx'), path.join(dir, `${name}.estimator.onnx`));
  writeFileSync(path.join(dir, `${name}.estimator.json`), JSON.stringify({ calibration }));
  return file;
}

describe('noise map from the estimator', () => {
  it("is found beside the model; an int8 twin reads with its float original's estimator", () => {
    expect(estimatorFileFor(model)).toBe(path.join(dir, 'm.estimator.onnx'));
    const twin = path.join(dir, 'm-int8.onnx');
    copyFileSync(model, twin);
    expect(estimatorFileFor(twin)).toBe(path.join(dir, 'm.estimator.onnx'));
    // A twin with an estimator of its own keeps it; a model with none anywhere has none.
    copyFileSync(path.join(dir, 'm.estimator.onnx'), path.join(dir, 'own-int8.estimator.onnx'));
    expect(estimatorFileFor(path.join(dir, 'own-int8.onnx'))).toBe(path.join(dir, 'own-int8.estimator.onnx'));
    expect(estimatorFileFor(path.join(dir, 'other-int8.onnx'))).toBeNull();
  });

  it('reaches the model pixel by pixel, times the strength', async () => {
    expect(estimatorFileFor(model)).toBe(path.join(dir, 'm.estimator.onnx'));
    const estimator = await openNoiseEstimator(estimatorFileFor(model)!);
    const denoiser = await openOnnxModel(model, { threads: 1 });
    try {
      const map = await estimator.map(photo);
      expect(map.length).toBe(photo.width * photo.height);
      expect(Math.max(...map)).toBeGreaterThan(0);
      const plain = await denoiseImage(photo, denoiser, { sigma: 0, tile: 40, overlap: 8 });
      const blind = await denoiseImage(photo, denoiser, { estimator, strength: 2, tile: 40, overlap: 8 });
      expect(blind.estimator).toBe('network');
      expect(blind.sigma).toBeCloseTo(median(map), 5);
      const hw = photo.width * photo.height;
      let worst = 0;
      for (let c = 0; c < 3; c++)
        for (let i = 0; i < hw; i++) {
          const added = (blind.image.data[c * hw + i]! - plain.image.data[c * hw + i]!) * 255;
          worst = Math.max(worst, Math.abs(added - 2 * map[i]!));
        }
      expect(worst).toBeLessThan(1e-3);
    } finally {
      await estimator.close();
      await denoiser.close();
    }
  });

  it('in place: reads the level before the photo is overwritten, and keeps the photo when the controls need it', async () => {
    const estimator = await openNoiseEstimator(estimatorFileFor(model)!);
    const denoiser = await openOnnxModel(model, { threads: 1 });
    try {
      const tiles = { tile: 40, overlap: 8 };
      const fresh = await denoiseImage(photo, denoiser, { estimator, ...tiles });
      const copy = { ...photo, data: photo.data.slice() };
      const inPlace = await denoiseImage(copy, denoiser, { estimator, ...tiles, inPlace: true });
      expect(inPlace.image.data).toBe(copy.data);
      expect(inPlace.sigma).toBe(fresh.sigma);
      expect(Array.from(inPlace.image.data)).toEqual(Array.from(fresh.image.data));
      // Detail blends the photo back in after the model: its pixels must survive.
      const controls = { detail: 0.5 };
      const withDetail = await denoiseImage(photo, denoiser, { estimator, ...tiles, controls });
      const copy2 = { ...photo, data: photo.data.slice() };
      const asked = await denoiseImage(copy2, denoiser, { estimator, ...tiles, controls, inPlace: true });
      expect(Array.from(copy2.data)).toEqual(Array.from(photo.data));
      expect(Array.from(asked.image.data)).toEqual(Array.from(withDetail.image.data));
    } finally {
      await estimator.close();
      await denoiser.close();
    }
  });

  it('is what the CLI reports; a model without one falls back with a one-line note', async () => {
    const r = await cli('denoise', PHOTO, '--out', path.join(dir, 'a.png'), '--model', model, '--json');
    expect(r.code, r.err).toBe(0);
    const file = JSON.parse(r.out).files[0];
    expect(file.estimator).toBe('network');
    expect(r.err).not.toMatch(/no noise estimator/);
    const bare = path.join(dir, 'bare.onnx');
    copyFileSync(model, bare);
    const b = await cli('denoise', PHOTO, '--out', path.join(dir, 'b.png'), '--model', bare, '--json');
    expect(b.code, b.err).toBe(0);
    expect(JSON.parse(b.out).files[0].estimator).toBe('wavelet-mad');
    expect(b.err.split('\n').filter((l) => /no noise estimator/.test(l))).toHaveLength(1);
  });

  it('refuses an estimator that returns NaN, in one line, instead of reading "no noise"', async () => {
    const broken = path.join(dir, 'nan.onnx');
    copyFileSync(model, broken);
    const arch = preset('camera-estimator')!;
    const params = initialParams(arch, 7);
    const first = [...params.values()][0]!;
    (first.data as Float32Array)[0] = Number.NaN;
    writeFileSync(path.join(dir, 'nan.estimator.onnx'), exportOnnx(arch, params, modelCard(arch, {})));
    const r = await cli('denoise', PHOTO, '--out', path.join(dir, 'nan.png'), '--model', broken);
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/noise estimator returned values that are not numbers/);
  });

  it('box-averages the readings before the noise level function when the calibration asks', async () => {
    const smooth = modelWithCalibration('smooth', { quantile: 0.5, offset: 1, gain: 0.5, smoothing: 3 });
    const plain = await openNoiseEstimator(estimatorFileFor(model)!);
    const smoothed = await openNoiseEstimator(estimatorFileFor(smooth)!);
    try {
      const raw = await smoothed.raw(photo);
      const curve = levelByBrightness(boxSmooth(raw, photo.width, photo.height, 3), photo, 0.5);
      const expected = curve.map((v) => Math.max(0, (v - 1) / 0.5));
      const map = await smoothed.map(photo);
      let worst = 0;
      for (let i = 0; i < map.length; i++) worst = Math.max(worst, Math.abs(map[i]! - expected[i]!));
      expect(worst).toBeLessThan(1e-4);
      // Without the averaging (and the offset) the same readings give another map.
      const unsmoothed = await plain.map(photo);
      let apart = 0;
      for (let i = 0; i < map.length; i++) apart = Math.max(apart, Math.abs(map[i]! - unsmoothed[i]!));
      expect(apart).toBeGreaterThan(0.5);
    } finally {
      await plain.close();
      await smoothed.close();
    }
  });

  it('raises the level of a JPEG by its calibrated factor, growing as the quality falls below the knee', async () => {
    const boosted = await openNoiseEstimator(
      estimatorFileFor(modelWithCalibration('jpeg', { quantile: 0.5, offset: 0, gain: 0.5, jpeg: 0.5, jpegKnee: 80 }))!,
    );
    try {
      const plain = await boosted.map(photo);
      const q70 = await boosted.map({ ...photo, meta: { ...photo.meta, jpegQuality: 70 } });
      const q85 = await boosted.map({ ...photo, meta: { ...photo.meta, jpegQuality: 85 } });
      const q40 = await boosted.map({ ...photo, meta: { ...photo.meta, jpegQuality: 40 } });
      // 1 + 0.5 · (80 − 70) / (80 − 60) = 1.25; none above the knee; no more than 1.5 below 60.
      for (const i of [0, 1000, photo.width * photo.height - 1]) {
        expect(plain[i]).toBeGreaterThan(0);
        expect(q70[i]).toBeCloseTo(1.25 * plain[i]!, 4);
        expect(q85[i]).toBeCloseTo(plain[i]!, 6);
        expect(q40[i]).toBeCloseTo(1.5 * plain[i]!, 4);
      }
    } finally {
      await boosted.close();
    }
    for (const [name, bad] of [
      ['jpeg-absurd', { jpeg: 9 }],
      ['knee-absurd', { jpeg: 0.5, jpegKnee: 60 }],
    ] as const) {
      const absurd = modelWithCalibration(name, { quantile: 0.5, offset: 0, gain: 1, ...bad });
      const r = await cli('denoise', PHOTO, '--out', path.join(dir, `${name}.png`), '--model', absurd);
      expect(r.code, name).toBe(1);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(/calibration is missing or out of range/);
    }
  });

  it("lowers the level of white noise by its calibrated factor, by the photo's noise grain", async () => {
    // The fixture photo carries white Gaussian noise (σ 25): its grain is about 0.5.
    const grain = noiseGrain(photo)!;
    expect(grain).toBeGreaterThan(0.45);
    expect(grain).toBeLessThan(0.6);
    const camera = simulateCameraNoise(
      await readImage(path.join(FIX, 'crops/astronaut_crop.png')),
      { level: 'high', jpegQuality: null },
      new Rng(12),
      {},
    ).noisy;
    expect(noiseGrain(camera)).toBeGreaterThan(1.1);
    // A grey photo with the same white noise: its one noise in all three channels is read right.
    const grey = await readImage(path.join(FIX, 'crops/camera_gaussian25.png'));
    expect(grey.channels).toBe(1);
    expect(noiseGrain(grey)).toBeLessThan(0.6);
    const calibration = { quantile: 0.5, offset: 0, gain: 0.5 };
    const plain = await openNoiseEstimator(estimatorFileFor(model)!);
    const lowered = await openNoiseEstimator(
      estimatorFileFor(modelWithCalibration('white', { ...calibration, white: 0.6, whiteRamp: [0.75, 1.1] }))!,
    );
    // Halfway up a ramp centred on this photo's grain: 0.6 + 0.4 · 0.5 = 0.8.
    const halfway = await openNoiseEstimator(
      estimatorFileFor(
        modelWithCalibration('white-half', { ...calibration, white: 0.6, whiteRamp: [grain - 0.1, grain + 0.1] }),
      )!,
    );
    try {
      const [p, l, h] = [await plain.map(photo), await lowered.map(photo), await halfway.map(photo)];
      const [pc, lc] = [await plain.map(camera), await lowered.map(camera)];
      const [pg, lg] = [await plain.map(grey), await lowered.map(grey)];
      const greyInRgb: Image = {
        ...grey,
        channels: 3,
        data: Float32Array.from({ length: 3 * grey.data.length }, (_, i) => grey.data[i % grey.data.length]!),
      };
      const [pgc, lgc] = [await plain.map(greyInRgb), await lowered.map(greyInRgb)];
      expect(Array.from(lg)).toEqual(Array.from(pg));
      expect(Array.from(lgc)).toEqual(Array.from(pgc));
      for (const i of [0, 1000, photo.width * photo.height - 1]) {
        expect(p[i]).toBeGreaterThan(0);
        expect(l[i]).toBeCloseTo(0.6 * p[i]!, 4);
        expect(h[i]).toBeCloseTo(0.8 * p[i]!, 4);
        // Camera noise is past the ramp: its level is as it was.
        expect(lc[i]).toBe(pc[i]);
      }
    } finally {
      for (const e of [plain, lowered, halfway]) await e.close();
    }
    for (const [name, bad] of [
      ['white-absurd', { white: 0.1 }],
      ['ramp-backwards', { white: 0.7, whiteRamp: [1.1, 0.75] }],
      ['ramp-broken', { white: 0.7, whiteRamp: [0.75] }],
    ] as const) {
      const absurd = modelWithCalibration(name, { ...calibration, ...bad });
      const r = await cli('denoise', PHOTO, '--out', path.join(dir, `${name}.png`), '--model', absurd);
      expect(r.code, name).toBe(1);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(/calibration is missing or out of range/);
    }
  });

  it('tells what JPEG quality the level allowed for, in --json and in words', async () => {
    const jpeg = path.join(dir, 'photo.jpg');
    await sharp(PHOTO).jpeg({ quality: 70 }).toFile(jpeg);
    const boosted = modelWithCalibration('said', { quantile: 0.5, offset: 0, gain: 0.5, jpeg: 0.5, jpegKnee: 80 });
    const r = await cli('denoise', jpeg, '--out', path.join(dir, 'said.png'), '--model', boosted, '--json');
    expect(r.code, r.err).toBe(0);
    const file = JSON.parse(r.out).files[0];
    expect(file.estimator).toBe('network');
    expect(file.jpeg_quality).toBeCloseTo(70, 0);
    const words = await cli('denoise', jpeg, '--out', path.join(dir, 'said-words.png'), '--model', boosted);
    expect(words.err).toMatch(/\(estimated, allowing for JPEG quality 70\)/);
    // A PNG has no JPEG quality; a given σ reads nothing.
    const png = await cli('denoise', PHOTO, '--out', path.join(dir, 'said.png.png'), '--model', boosted, '--json');
    expect(JSON.parse(png.out).files[0].jpeg_quality).toBeUndefined();
    const given = await cli(
      'denoise',
      jpeg,
      '--out',
      path.join(dir, 'said-given.png'),
      '--model',
      boosted,
      '--sigma',
      '5',
      '--json',
    );
    expect(JSON.parse(given.out).files[0].jpeg_quality).toBeUndefined();
    // An estimator whose calibration makes no JPEG correction allows for nothing.
    const plain = await cli('denoise', jpeg, '--out', path.join(dir, 'said-plain.png'), '--model', model, '--json');
    expect(JSON.parse(plain.out).files[0].estimator).toBe('network');
    expect(JSON.parse(plain.out).files[0].jpeg_quality).toBeUndefined();
  });

  it('refuses a smoothing that is not a whole number of pixels', async () => {
    const odd = modelWithCalibration('frac', { quantile: 0.5, offset: 0, gain: 1, smoothing: 2.5 });
    const r = await cli('denoise', PHOTO, '--out', path.join(dir, 'f.png'), '--model', odd);
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/calibration is missing or out of range/);
  });

  it('refuses an estimator whose calibration is out of range, in one line', async () => {
    const odd = modelWithCalibration('odd', { quantile: 3, offset: 0, gain: 1 });
    const r = await cli('denoise', PHOTO, '--out', path.join(dir, 'c.png'), '--model', odd);
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/calibration is missing or out of range/);
  });

  it('reads a photo over 3 MP in windows, and gets the level function of the whole read', async () => {
    // The shipped estimator on a 2048×1792 mosaic of a noisy crop (3.7 MP, past the read budget).
    const side = photo.width;
    const [W, H] = [2048, 1792];
    const big: Image = { ...photo, width: W, height: H, data: new Float32Array(3 * W * H) };
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++)
          big.data[(c * H + y) * W + x] = photo.data[(c * photo.height + (y % photo.height)) * side + (x % side)]!;
    // Without the white-noise correction (this mosaic's noise is white): the windows are the point.
    const shipped = await openNoiseEstimator('models/camera.estimator.onnx', { calibration: { white: 1 } });
    try {
      const sampled = await shipped.map(big);
      // The whole read through the same calibration: the shipped card's line (read from it, so that
      // a new fit needs no edit here).
      const card = JSON.parse(readFileSync('models/camera.estimator.json', 'utf8')) as {
        calibration: { quantile: number; offset: number; gain: number };
      };
      const { quantile, offset, gain } = card.calibration;
      const whole = levelByBrightness(await shipped.raw(big), big, quantile).map((v) =>
        Math.max(0, (v - offset) / gain),
      );
      const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
      expect(mean(whole)).toBeGreaterThan(10); // the crop holds σ 25 noise
      expect(Math.abs(mean(sampled) / mean(whole) - 1)).toBeLessThan(0.03);
    } finally {
      await shipped.close();
    }
  });
});
