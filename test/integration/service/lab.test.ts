// The Lab and Latent workspaces' jobs through the service: train → save-model → listed as
// 'trained' → denoise with it; export-onnx; latent scatter (identity and PCA), decode, traversal,
// interpolation, the classification probe; bottleneck feature maps of a conv autoencoder.
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type {
  EvaluateResult,
  ExportResult,
  ImageInfo,
  JobResult,
  JobSpecInput,
  LatentEncodeResult,
  ModelCard,
} from '../../../common/contract/index.js';
import { ApiService } from '../../../main/service/api-service.js';
import { buildWorker, startService, type Harness } from './harness.js';
import { tempDir } from '../../helpers/temp-dir.js';

let worker: Awaited<ReturnType<typeof buildWorker>>;
let h: Harness;
let api: ApiService;
let photos: string;

const crops = path.resolve('test/fixtures/imaging/crops');

beforeAll(async () => {
  worker = await buildWorker();
  h = startService(worker.workerPath);
  api = new ApiService(h.service, { door: 'web', allow: [tmpdir()] });
  // A tiny folder of clean photos: the three 96×96 crops (licences in the fixture folder).
  photos = tempDir('dl-photos-');
  for (const name of ['astronaut_crop.png', 'camera_crop.png', 'coffee_crop.png'])
    copyFileSync(path.join(crops, name), path.join(photos, name));
});
afterAll(async () => {
  await h.close();
  worker.dispose();
});

async function run<K extends JobSpecInput['kind']>(spec: Extract<JobSpecInput, { kind: K }>): Promise<JobResult<K>> {
  return (await h.service.run(spec)) as JobResult<K>;
}

async function trainAndSave(params: Extract<JobSpecInput, { kind: 'train' }>['params'], name: string) {
  const trained = await run({ kind: 'train', params });
  return run({ kind: 'save-model', params: { checkpointId: trained.checkpoint.checkpointId, name } });
}

describe('a trained denoiser: save, list, use in Denoise, export', () => {
  let card: ModelCard;

  beforeAll(async () => {
    card = await trainAndSave(
      {
        architecture: {
          format: 'denoise-lab.architecture',
          version: 1,
          network: { type: 'residual', channels: 1, features: 8, depth: 3, kernel: 3 },
        },
        data: { kind: 'folder', path: photos },
        patch: 24,
        noise: { type: 'gaussian', level: 25 },
        lr: 0.01,
        batch: 8,
        steps: 200,
        seed: 2,
      },
      'tiny dncnn',
    );
  }, 60_000);

  it('is saved as ONNX + card in the user models folder and listed as trained', async () => {
    expect(card).toMatchObject({
      id: 'user/tiny-dncnn',
      kind: 'trained',
      name: 'tiny dncnn',
      params: 1 * 8 * 9 + 8 + 8 * 8 * 9 + 8 + 8 * 9 + 1,
      inputChannels: 1,
      noiseLevelInput: false,
      trainingNoise: 'gaussian σ 25',
      trainingSteps: 200,
    });
    expect(existsSync(path.join(h.dataDir, 'models', 'tiny-dncnn.onnx'))).toBe(true);
    // Measured on fixed 24×24 crops of the training photos with σ 25: the model must beat its input.
    const row = card.metrics[0]!;
    expect(row.noise).toBe('gaussian σ 25');
    expect(row.psnrBaseline!).toBeGreaterThan(20);
    expect(row.psnrBaseline!).toBeLessThan(21.5);
    // Measured: 20.50 → 27.05 dB, SSIM 0.47 → 0.80 (seed 2, 200 Adam steps).
    expect(row.psnr).toBeGreaterThan(row.psnrBaseline! + 4);
    expect(row.ssim).toBeGreaterThan(row.ssimBaseline! + 0.2);
    const listed = (await api.handle('models:list', {})) as ModelCard[];
    expect(listed.find((m) => m.id === card.id)).toMatchObject({ kind: 'trained', trainingSteps: 200 });
    await expect(run({ kind: 'save-model', params: { checkpointId: 'no-such-run', name: 'x' } })).rejects.toThrow(
      /no checkpoint with id 'no-such-run'/,
    );
  });

  it('a model name that is taken: refused with code exists, kept both as name-2, or replaced', async () => {
    const trained = (await api.handle('checkpoints:list', {})) as { checkpointId: string }[];
    const checkpointId = trained[0]!.checkpointId;
    const refused = run({ kind: 'save-model', params: { checkpointId, name: 'tiny dncnn' } });
    await expect(refused).rejects.toMatchObject({ code: 'exists' });
    await expect(refused).rejects.toThrow(/^a model named 'tiny-dncnn' already exists; replace it, keep both/);
    const both = await run({ kind: 'save-model', params: { checkpointId, name: 'tiny dncnn', onClash: 'keep-both' } });
    expect(both).toMatchObject({ id: 'user/tiny-dncnn-2', name: 'tiny-dncnn-2' });
    expect(path.basename(both.file)).toBe('tiny-dncnn-2.onnx');
    expect(existsSync(card.file)).toBe(true);
    const replaced = await run({
      kind: 'save-model',
      params: { checkpointId, name: 'tiny dncnn-2', onClash: 'replace' },
    });
    expect(replaced.id).toBe('user/tiny-dncnn-2');
    await api.handle('models:delete', { modelId: 'user/tiny-dncnn-2' });
  });

  it('re-importing an exported ONNX file asks, then keeps both without naming the models folder', async () => {
    const file = path.join(tempDir(), 'tiny dncnn.onnx');
    await run({ kind: 'export-onnx', params: { modelId: card.id, destination: { kind: 'path', path: file } } });
    const refused = api.handle('models:import', { path: file });
    await expect(refused).rejects.toMatchObject({ code: 'exists' });
    await expect(refused).rejects.toThrow(/^a model named 'tiny dncnn' already exists/);
    const both = (await api.handle('models:import', { path: file, onClash: 'keep-both' })) as ModelCard;
    expect(both).toMatchObject({ id: 'user/tiny-dncnn-2', name: 'tiny-dncnn-2', kind: 'imported' });
    await api.handle('models:delete', { modelId: both.id });
  });

  it('denoises a noisy photo better than the noisy input (Use in Denoise)', async () => {
    const clean = (await api.handle('images:open', { path: path.join(photos, 'camera_crop.png') })) as ImageInfo;
    const noisy = await run({
      kind: 'add-noise',
      params: { imageId: clean.imageId, type: 'gaussian', level: 25, seed: 9 },
    });
    const out = await run({ kind: 'denoise', params: { imageId: noisy.imageId, modelId: card.id } });
    expect(out).toMatchObject({ width: 96, height: 96 });
    const score = (testId: string) =>
      run({
        kind: 'evaluate',
        params: { referenceId: clean.imageId, testId, ssimMap: false },
      }) as Promise<EvaluateResult>;
    const before = await score(noisy.imageId);
    const after = await score(out.imageId);
    expect(before.psnr!).toBeGreaterThan(20);
    expect(before.psnr!).toBeLessThan(21);
    // Measured: 20.53 → 26.91 dB on the whole 96×96 photo (tiled), SSIM 0.51 → 0.81.
    expect(after.psnr! - before.psnr!).toBeGreaterThan(4);
    expect(after.ssim).toBeGreaterThan(before.ssim);
  });

  it('exports the ONNX file to a path and as a download', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'mine.onnx');
    const r = (await run({
      kind: 'export-onnx',
      params: { modelId: card.id, destination: { kind: 'path', path: file } },
    })) as ExportResult;
    expect(r).toMatchObject({ path: file, downloadUrl: null, fileName: 'mine.onnx' });
    expect(readFileSync(file).equals(readFileSync(card.file))).toBe(true);
    await expect(
      run({ kind: 'export-onnx', params: { modelId: card.id, destination: { kind: 'path', path: file } } }),
    ).rejects.toMatchObject({ code: 'exists' });
    const both = (await run({
      kind: 'export-onnx',
      params: { modelId: card.id, destination: { kind: 'path', path: file, onClash: 'keep-both' } },
    })) as ExportResult;
    expect(both).toMatchObject({ path: path.join(dir, 'mine (2).onnx'), fileName: 'mine (2).onnx' });
    expect(readdirSync(dir).sort()).toEqual(['mine (2).onnx', 'mine.onnx']);
    await expect(
      run({ kind: 'export-onnx', params: { modelId: card.id, destination: { kind: 'path', path: `${file}.txt` } } }),
    ).rejects.toThrow(/must end in \.onnx/);
    const d = (await run({
      kind: 'export-onnx',
      params: { modelId: card.id, destination: { kind: 'download' } },
    })) as ExportResult;
    expect(d.fileName).toBe('tiny-dncnn.onnx');
    expect(d.downloadUrl).toMatch(/^api\/downloads\/[\w-]+\/tiny-dncnn\.onnx$/);
    expect(d.byteLength).toBe(readFileSync(card.file).length);
  });
});

describe('latent views of dense models on the digits', () => {
  let flat: ModelCard; // 64-32-2-32-64: the latent is the plot
  let wide: ModelCard; // 64-16-64: plotted by PCA
  let sigmoid2d: ModelCard; // 64-2-64, a sigmoid code: never negative, so ±3 around 0 misses it

  beforeAll(async () => {
    const base = {
      data: { kind: 'digits' as const },
      noise: { type: 'none' as const, level: 0 },
      lr: 0.01,
      batch: 32,
      steps: 300,
      seed: 1,
    };
    flat = await trainAndSave({ ...base, architecture: 'digits-ae' }, 'digits 2d');
    wide = await trainAndSave({ ...base, architecture: 'dense:64-16-64:sigmoid,sigmoid' }, 'digits 16d');
    sigmoid2d = await trainAndSave({ ...base, architecture: 'dense:64-2-64:sigmoid,sigmoid' }, 'digits sigmoid 2d');
  }, 60_000);

  it('encodes the digits to labelled 2-D points (identity for a 2-D latent, PCA above)', async () => {
    const a = (await run({ kind: 'latent-encode', params: { modelId: flat.id, count: 200 } })) as LatentEncodeResult;
    expect(a).toMatchObject({ latentDim: 2, projection: 'identity', probe: null });
    expect(a.points).toHaveLength(200);
    expect(new Set(a.points.map((p) => p.label))).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    expect(new Set(a.points.map((p) => p.index)).size).toBe(200);
    // The same seed picks the same digits at the same places.
    const again = (await run({
      kind: 'latent-encode',
      params: { modelId: flat.id, count: 200 },
    })) as LatentEncodeResult;
    expect(again.points).toEqual(a.points);
    const b = (await run({ kind: 'latent-encode', params: { modelId: wide.id, count: 1797 } })) as LatentEncodeResult;
    expect(b).toMatchObject({ latentDim: 16, projection: 'pca' });
    expect(b.points).toHaveLength(1797);
    expect(b.explainedVariance!).toBeGreaterThan(0.3); // measured 0.42
    expect(b.explainedVariance!).toBeLessThanOrEqual(1);
    // PCA coordinates are centred: their mean over all digits is 0.
    const meanX = b.points.reduce((s, p) => s + p.x, 0) / b.points.length;
    expect(Math.abs(meanX)).toBeLessThan(1e-4);
  });

  it('traverses each dimension over its own codes: mean ± 2σ by default, or the range asked for', async () => {
    const codes = (await run({ kind: 'latent-encode', params: { modelId: sigmoid2d.id, count: 1797 } })) as LatentEncodeResult;
    const stats = (v: number[]) => {
      const mean = v.reduce((s, x) => s + x, 0) / v.length;
      return { mean, sd: Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length) };
    };
    const x = stats(codes.points.map((p) => p.x));
    const y = stats(codes.points.map((p) => p.y));
    expect(codes.projection).toBe('identity');
    expect(Math.min(x.sd, y.sd)).toBeGreaterThan(1e-3);
    // Codes are float32 in the worker: agree to a small fraction of their spread.
    const near = (v: number, e: number, sd: number) => expect(Math.abs(v - e)).toBeLessThan(1e-3 * sd + 1e-6);
    const grid = (await run({ kind: 'latent-traversal', params: { modelId: sigmoid2d.id, dims: [0, 1], steps: 3 } })) as {
      ranges: [number, number][];
    };
    const expected = [
      [x.mean - 2 * x.sd, x.mean + 2 * x.sd],
      [y.mean - 2 * y.sd, y.mean + 2 * y.sd],
    ];
    grid.ranges.flat().forEach((v, i) => near(v, expected.flat()[i]!, i < 2 ? x.sd : y.sd));
    const wider = (await run({
      kind: 'latent-traversal',
      params: { modelId: sigmoid2d.id, dims: [0, 1], steps: 3, spread: 3 },
    })) as { ranges: [number, number][] };
    near(wider.ranges[1]![1] - wider.ranges[1]![0], 6 * y.sd, y.sd);
    const fixed = (await run({
      kind: 'latent-traversal',
      params: { modelId: sigmoid2d.id, dims: [0, 1], steps: 3, range: [-1, 1] },
    })) as { ranges: [number, number][] };
    expect(fixed.ranges).toEqual([
      [-1, 1],
      [-1, 1],
    ]);
  });

  it('decodes a point, a traversal grid and an interpolation to images', async () => {
    const one = (await run({ kind: 'latent-decode', params: { modelId: flat.id, point: [0.5, 1] } })) as ImageInfo;
    expect(one).toMatchObject({ width: 32, height: 32, channels: 1 }); // 8×8 enlarged 4×
    const full = (await run({
      kind: 'latent-decode',
      params: { modelId: wide.id, point: new Array(16).fill(0.5), space: 'latent' },
    })) as ImageInfo;
    expect(full.width).toBe(32);
    await expect(run({ kind: 'latent-decode', params: { modelId: wide.id, point: [1, 2, 3] } })).rejects.toThrow(
      /a plot point has 2 coordinates/,
    );
    const grid = await run({ kind: 'latent-traversal', params: { modelId: wide.id, dims: [0, 3], steps: 5 } });
    expect(grid).toMatchObject({ rows: 5, cols: 5 });
    expect(grid.image).toMatchObject({ width: 5 * 32 + 4, height: 5 * 32 + 4 });
    await expect(
      run({ kind: 'latent-traversal', params: { modelId: wide.id, dims: [0, 16], steps: 5 } }),
    ).rejects.toThrow(/latent dimensions are 0…15/);
    const line = await run({
      kind: 'latent-interpolate',
      params: { modelId: flat.id, from: [0, 0], to: [2, 2], steps: 6 },
    });
    expect(line).toMatchObject({ rows: 1, cols: 6 });
    expect(line.image).toMatchObject({ width: 6 * 32 + 5, height: 32 });
  });

  it('probes the frozen encoder: a classifier on the code vs on raw pixels', async () => {
    const p = await run({ kind: 'latent-probe', params: { modelId: wide.id, steps: 150, seed: 3 } });
    expect(p).toMatchObject({
      latentFeatures: 16,
      pixelFeatures: 64,
      classes: 10,
      trainSamples: 1438,
      testSamples: 359,
    });
    // Chance is 0.1. Measured: raw pixels 0.94, the 16-unit code 0.86.
    expect(p.pixelAccuracy).toBeGreaterThan(0.85);
    expect(p.latentAccuracy).toBeGreaterThan(0.7);
    expect(p.latentAccuracy).toBeLessThan(p.pixelAccuracy);
  });

  it('refuses feature maps of a dense model with a clear reason', async () => {
    const dir = tempDir();
    copyFileSync(path.join(crops, 'camera_crop.png'), path.join(dir, 'c.png'));
    const img = (await api.handle('images:open', { path: path.join(dir, 'c.png') })) as ImageInfo;
    await expect(run({ kind: 'feature-maps', params: { modelId: flat.id, imageId: img.imageId } })).rejects.toThrow(
      /dense: its code is a vector/,
    );
  });
});

describe('bottleneck feature maps of a conv autoencoder', () => {
  it('shows every bottleneck channel with the compression ratio', async () => {
    const card = await trainAndSave(
      {
        architecture: 'conv-ae-b4',
        data: { kind: 'folder', path: photos },
        patch: 16,
        noise: { type: 'none', level: 0 },
        lr: 0.01,
        batch: 4,
        steps: 5,
      },
      'conv b4',
    );
    expect(card.kind).toBe('trained');
    const img = (await api.handle('images:open', { path: path.join(photos, 'coffee_crop.png') })) as ImageInfo;
    const r = await run({ kind: 'feature-maps', params: { modelId: card.id, imageId: img.imageId } });
    // 96×96 grey (the coffee crop's luma) → two stride-2 stages → 4 channels of 24×24: 9216 / 2304 = 4.
    expect(r).toMatchObject({
      channels: 4,
      mapWidth: 24,
      mapHeight: 24,
      compressionRatio: 4,
      layer: expect.any(String),
      inputWidth: 96,
      inputHeight: 96,
    });
    // A 2×2 grid of 24-px maps enlarged 2× (cells of 48 px) with a 1-px gap.
    expect(r.image).toMatchObject({ width: 97, height: 97, channels: 1 });
  }, 60_000);
});

describe('training on the camera mix from the Lab', () => {
  it('trains a small noise-level denoiser on photo patches and saves it with the mix on its card', async () => {
    const card = await trainAndSave(
      {
        architecture: {
          format: 'denoise-lab.architecture',
          version: 1,
          network: { type: 'residual', channels: 3, features: 8, depth: 3, kernel: 3, noiseLevelInput: true },
        },
        data: { kind: 'folder', path: photos },
        patch: 32,
        noise: { type: 'camera-mix', level: 50 },
        lr: 0.005,
        batch: 4,
        steps: 6,
        seed: 3,
      },
      'tiny camera',
    );
    expect(card.trainingNoise).toBe(
      'camera mix (camera-pipeline simulator, with Gaussian / Poisson–Gaussian σ ≤ 50 and clean samples)',
    );
    // Measured on the mix's Gaussian / Poisson–Gaussian part (the camera part has no reference there).
    expect(card.metrics[0]?.noise).toBe('poisson-gaussian, 16 photons + σ 50');
    expect(card.noiseLevelInput).toBe(true);
  });
});
