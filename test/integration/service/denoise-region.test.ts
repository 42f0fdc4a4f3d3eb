// The denoise job's `region` (the Denoise workspace's live preview), through the service and its
// worker: the answer is an image of the region's size whose pixels equal the same region of a
// whole-photo denoise (the margin of context makes the crop's edges agree), with the same
// controls and the same blind noise level; a region outside the photo is refused in one line.
import { modelsDir } from '../../../main/files/app-paths.js';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportResult, ImageInfo, ModelCard, Region } from '../../../common/contract/index.js';
import { ApiService } from '../../../main/service/api-service.js';
import { buildWorker, startService, writeTestPng, type Harness } from './harness.js';
import { tempDir } from '../../helpers/temp-dir.js';

const models = path.resolve('test/fixtures/imaging/models');
let worker: Awaited<ReturnType<typeof buildWorker>>;
let h: Harness;
let api: ApiService;
let dir: string;
let noisy: ImageInfo;
let blur: ModelCard;
let blurSigma: ModelCard;

beforeAll(async () => {
  worker = await buildWorker();
  // The shipped models too: the camera model ships its noise estimator beside it.
  h = startService(worker.workerPath, { shippedModelsDir: modelsDir });
  api = new ApiService(h.service, { door: 'web', allow: [tmpdir(), models] });
  dir = tempDir();
  await writeTestPng(path.join(dir, 'gradient.png'), 200, 150);
  const clean = (await api.handle('images:open', { path: path.join(dir, 'gradient.png') })) as ImageInfo;
  noisy = (await h.service.run({
    kind: 'add-noise',
    params: { imageId: clean.imageId, type: 'gaussian', level: 25, seed: 5 },
  })) as ImageInfo;
  blur = (await api.handle('models:import', { path: path.join(models, 'blur5_rgb.onnx'), name: 'blur' })) as ModelCard;
  // Adds the noise level it is told to every channel: the preview must be told the photo's level.
  blurSigma = (await api.handle('models:import', {
    path: path.join(models, 'blur5_rgb_sigma.onnx'),
    name: 'blur sigma',
  })) as ModelCard;
});
afterAll(async () => {
  await h.close();
  worker.dispose();
});

let exported = 0;
/** An image's pixels as the service holds them (16-bit export: 1/65535 steps), interleaved RGB. */
async function pixels(img: ImageInfo): Promise<{ data: Uint16Array; width: number; height: number }> {
  const file = path.join(dir, `px-${exported++}.png`);
  (await h.service.run({
    kind: 'export',
    params: { imageId: img.imageId, destination: { kind: 'path', path: file }, format: 'png', bitDepth: 16 },
  })) as ExportResult;
  const { data, info } = await sharp(file).raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
  expect(info.channels).toBe(3);
  return {
    data: new Uint16Array(data.buffer, data.byteOffset, data.length / 2),
    width: info.width,
    height: info.height,
  };
}

/** Largest difference (in 16-bit steps) between a crop and the same region of the whole image. */
function maxDiff(
  crop: { data: Uint16Array; width: number; height: number },
  whole: { data: Uint16Array; width: number },
  r: Region,
) {
  let worst = 0;
  for (let y = 0; y < r.height; y++)
    for (let x = 0; x < r.width * 3; x++) {
      const a = crop.data[y * crop.width * 3 + x]!;
      const b = whole.data[(r.y + y) * whole.width * 3 + r.x * 3 + x]!;
      worst = Math.max(worst, Math.abs(a - b));
    }
  return worst;
}

/** The gradient test photo with σ 25 noise (seeded) on its left three quarters only. */
async function writeHalfNoisyPng(file: string, width: number, height: number) {
  let seed = 7;
  const uniform = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  const gauss = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < 3; c++) {
        const base = c === 0 ? 60 + (130 * x) / (width - 1) : c === 1 ? 60 + (130 * y) / (height - 1) : 125;
        raw[(y * width + x) * 3 + c] = Math.max(
          0,
          Math.min(255, Math.round(base + (x < (width * 3) / 4 ? 25 * gauss() : 0))),
        );
      }
  await sharp(raw, { raw: { width, height, channels: 3 } })
    .png()
    .toFile(file);
}

describe('denoising a region', () => {
  const settings = { strength: 2, luminance: 0.8, chroma: 0.5, detail: 0.4 };

  it.each([
    ['inside the photo', { x: 70, y: 40, width: 90, height: 60 }, 'blur'],
    ['at its corner (no margin there)', { x: 0, y: 0, width: 50, height: 40 }, 'blur'],
    ['blind, with a model that takes the noise level', { x: 120, y: 90, width: 80, height: 60 }, 'sigma'],
  ] as const)('%s: the crop equals that region of the whole-photo result', async (_, region, which) => {
    const model = which === 'blur' ? blur : blurSigma;
    const params = { imageId: noisy.imageId, modelId: model.id, tile: 48, ...settings };
    const whole = (await h.service.run({ kind: 'denoise', params })) as ImageInfo;
    const part = (await h.service.run({ kind: 'denoise', params: { ...params, region } })) as ImageInfo;
    expect(part).toMatchObject({ width: region.width, height: region.height, channels: 3 });
    expect(part.imageId).not.toBe(whole.imageId);
    expect(part.name).toContain(`preview of ${region.width}×${region.height} at ${region.x},${region.y}`);
    const [p, w] = [await pixels(part), await pixels(whole)];
    expect(maxDiff(p, w, region)).toBeLessThanOrEqual(2);
    // The comparison can fail: the same crop one pixel off differs a lot on this noisy photo.
    expect(maxDiff(p, w, { ...region, x: region.x + (region.x > 0 ? -1 : 1) })).toBeGreaterThan(30);
  });

  it('blind with a model that ships a noise estimator (the map read from the whole photo): the crop equals that region', async () => {
    // Noise on the left three quarters only; the region on the right edge, its margin reaching into the noise.
    const file = path.join(dir, 'half-noisy-camera.png');
    await writeHalfNoisyPng(file, 200, 150);
    const half = (await api.handle('images:open', { path: file })) as ImageInfo;
    const region = { x: 160, y: 20, width: 40, height: 100 };
    const params = { imageId: half.imageId, modelId: 'shipped/camera', tile: 64, strength: 2 };
    const part = (await h.service.run({ kind: 'denoise', params: { ...params, region } })) as ImageInfo;
    const whole = (await h.service.run({ kind: 'denoise', params })) as ImageInfo;
    const [p, w] = [await pixels(part), await pixels(whole)];
    expect(maxDiff(p, w, region)).toBeLessThanOrEqual(2);
  });

  it('"Estimate noise level" tells the JPEG quality the camera model’s estimate allowed for', async () => {
    const png = path.join(dir, 'estimate.png');
    await writeHalfNoisyPng(png, 200, 150);
    const jpeg = path.join(dir, 'estimate.jpg');
    await sharp(png).jpeg({ quality: 65 }).toFile(jpeg);
    const estimate = async (file: string, modelId?: string) => {
      const img = (await api.handle('images:open', { path: file })) as ImageInfo;
      return (await h.service.run({
        kind: 'estimate-noise',
        params: { imageId: img.imageId, ...(modelId ? { modelId } : {}) },
      })) as { sigma: number; method: string; jpegQuality: number | null };
    };
    const fromJpeg = await estimate(jpeg, 'shipped/camera');
    expect(fromJpeg.jpegQuality).toBe(65);
    expect(fromJpeg.method).toMatch(/noise estimator/);
    expect((await estimate(png, 'shipped/camera')).jpegQuality).toBeNull();
    // The wavelet estimate has no JPEG correction to allow for.
    expect(await estimate(jpeg)).toMatchObject({ method: expect.stringMatching(/wavelet/), jpegQuality: null });
  });

  it('the blind preview is told the whole photo’s noise level, not the crop’s', async () => {
    // Noise on the left three quarters only: the clean right edge alone reads a level near 0, the whole photo
    // far more; blur5_rgb_sigma adds the level it is told to its output, so a crop-read level shows.
    const file = path.join(dir, 'half-noisy.png');
    await writeHalfNoisyPng(file, 200, 150);
    const half = (await api.handle('images:open', { path: file })) as ImageInfo;
    const region = { x: 170, y: 20, width: 30, height: 100 };
    const params = { imageId: half.imageId, modelId: blurSigma.id, strength: 3 };
    // The preview first: the whole-photo run would leave the level remembered for it.
    const partImage = (await h.service.run({ kind: 'denoise', params: { ...params, region } })) as ImageInfo;
    const wholeImage = (await h.service.run({ kind: 'denoise', params })) as ImageInfo;
    const sigmaOf = (name: string) => Number(/σ ([\d.]+) estimated/.exec(name)?.[1]);
    expect(sigmaOf(wholeImage.name)).toBeGreaterThan(5);
    expect(sigmaOf(partImage.name)).toBe(sigmaOf(wholeImage.name));
    expect(maxDiff(await pixels(partImage), await pixels(wholeImage), region)).toBeLessThanOrEqual(2);
  });

  it('refuses a region reaching outside the photo in one line', async () => {
    for (const region of [
      { x: 150, y: 0, width: 51, height: 10 },
      { x: 0, y: 149, width: 10, height: 2 },
      { x: 300, y: 300, width: 1, height: 1 },
    ]) {
      await expect(
        h.service.run({ kind: 'denoise', params: { imageId: noisy.imageId, modelId: blur.id, region } }),
      ).rejects.toThrow(/^the region .* reaches outside the 200×150 photo$/);
    }
    await expect(
      h.service.run({
        kind: 'denoise',
        params: { imageId: noisy.imageId, modelId: blur.id, region: { x: 0, y: 0, width: 0, height: 5 } },
      }),
    ).rejects.toMatchObject({
      message: '“width” must be a positive number.',
      details: expect.stringMatching(/region\.width/),
    });
  });
});
