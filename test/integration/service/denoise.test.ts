// The imaging jobs that need a model, through the service and its worker: import an ONNX model,
// denoise, estimate the noise level, export, batch. The model is the 5×5 Gaussian blur fixture
// (test/fixtures/imaging/models), which on a smooth photo with σ = 25 noise must raise PSNR a lot.
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type {
  EvaluateResult,
  ExportResult,
  ImageInfo,
  ModelCard,
  BatchDenoiseResult,
} from '../../../common/contract/index.js';
import { ApiService } from '../../../main/service/api-service.js';
import { buildWorker, startService, writeTestPng, type Harness } from './harness.js';
import { tempDir } from '../../helpers/temp-dir.js';

const blur = path.resolve('test/fixtures/imaging/models/blur5_rgb.onnx');
let worker: Awaited<ReturnType<typeof buildWorker>>;
let h: Harness;
let api: ApiService;
let dir: string;
let clean: ImageInfo;
let noisy: ImageInfo;
let model: ModelCard;

beforeAll(async () => {
  worker = await buildWorker();
  h = startService(worker.workerPath);
  api = new ApiService(h.service, { door: 'web', allow: [tmpdir(), path.dirname(blur)] });
  dir = tempDir();
  await writeTestPng(path.join(dir, 'gradient.png'), 96, 80);
  clean = (await api.handle('images:open', { path: path.join(dir, 'gradient.png') })) as ImageInfo;
  noisy = (await h.service.run({
    kind: 'add-noise',
    params: { imageId: clean.imageId, type: 'gaussian', level: 25, seed: 3 },
  })) as ImageInfo;
  model = (await api.handle('models:import', { path: blur, name: 'blur 5' })) as ModelCard;
});
afterAll(async () => {
  await h.close();
  worker.dispose();
});

describe('model jobs through the service', () => {
  it('imports an ONNX model into the user models folder and lists it', async () => {
    expect(model).toMatchObject({ id: 'user/blur-5', kind: 'imported', inputChannels: 3, noiseLevelInput: false });
    // The card and the messages name the file, never the folder it came from (an upload folder).
    expect(model.description).toBe('Imported from blur5_rgb.onnx.');
    expect(existsSync(path.join(h.dataDir, 'models', 'blur-5.onnx'))).toBe(true);
    const list = (await api.handle('models:list', {})) as ModelCard[];
    expect(list.map((m) => m.id)).toEqual(['user/blur-5']);
    await expect(
      api.handle('models:import', { path: path.resolve('test/fixtures/imaging/models/wrong_flat_input.onnx') }),
    ).rejects.toThrow(/N×C×H×W/);
    const junk = path.join(dir, 'junk.onnx');
    writeFileSync(junk, 'not a model');
    await expect(api.handle('models:import', { path: junk })).rejects.toThrow(/^junk\.onnx: not a valid ONNX model/);
    expect(readdirSync(path.join(h.dataDir, 'models')).sort()).toEqual(['blur-5.json', 'blur-5.onnx']);
  });

  it('denoises: PSNR against the clean photo rises well above the noisy one', async () => {
    const out = (await h.service.run({
      kind: 'denoise',
      params: { imageId: noisy.imageId, modelId: model.id, tile: 32 },
    })) as ImageInfo;
    expect(out).toMatchObject({ width: 96, height: 80, channels: 3 });
    const before = (await h.service.run({
      kind: 'evaluate',
      params: { referenceId: clean.imageId, testId: noisy.imageId, ssimMap: false },
    })) as EvaluateResult;
    const after = (await h.service.run({
      kind: 'evaluate',
      params: { referenceId: clean.imageId, testId: out.imageId, ssimMap: false },
    })) as EvaluateResult;
    expect(before.psnr!).toBeGreaterThan(19.5);
    expect(before.psnr!).toBeLessThan(21);
    // A 5×5 Gaussian (σ 1) averages ≈ 12.6 samples' worth of noise: ≈ +10 dB on a smooth ramp, less at the zero-padded border.
    expect(after.psnr! - before.psnr!).toBeGreaterThan(5);
    expect(after.ssim).toBeGreaterThan(before.ssim);
    const events = h.events.filter((e) => e.kind === 'denoise');
    expect(events.some((e) => e.state === 'running' && e.total === 9)).toBe(true); // 3×3 tiles of 32
  });

  it('estimates the noise level of the noisy photo close to the true σ = 25', async () => {
    const r = (await h.service.run({ kind: 'estimate-noise', params: { imageId: noisy.imageId } })) as {
      sigma: number;
    };
    expect(r.sigma).toBeGreaterThan(22);
    expect(r.sigma).toBeLessThan(28);
  });

  it('exports to a host path (never over an existing file) and as a download', async () => {
    const file = path.join(dir, 'noisy.png');
    const r = (await h.service.run({
      kind: 'export',
      params: { imageId: noisy.imageId, destination: { kind: 'path', path: file }, format: 'png', bitDepth: 16 },
    })) as ExportResult;
    expect(r).toMatchObject({ path: file, downloadUrl: null, fileName: 'noisy.png' });
    const meta = await sharp(file).metadata();
    expect(meta).toMatchObject({ width: 96, height: 80, depth: 'ushort' });
    await expect(
      h.service.run({ kind: 'export', params: { imageId: noisy.imageId, destination: { kind: 'path', path: file } } }),
    ).rejects.toThrow(/already exists/);
    const d = (await h.service.run({
      kind: 'export',
      params: { imageId: clean.imageId, destination: { kind: 'download' }, format: 'jpeg', quality: 80 },
    })) as ExportResult;
    expect(d.fileName).toBe('gradient-denoised.jpg');
    expect(d.downloadUrl).toMatch(/^api\/downloads\/[\w-]+\/gradient-denoised\.jpg$/);
    const [, folder, name] = /^api\/downloads\/([\w-]+)\/(.+)$/.exec(d.downloadUrl!)!;
    expect((await sharp(h.service.downloadFile(folder!, name!)!).metadata()).format).toBe('jpeg');
  });

  it('batch-denoises a folder, keeps its structure, and reports a bad file without stopping', async () => {
    const input = path.join(dir, 'batch-in');
    mkdirSync(path.join(input, 'sub'), { recursive: true });
    await writeTestPng(path.join(input, 'a.png'), 40, 30);
    await writeTestPng(path.join(input, 'sub', 'b.png'), 30, 40);
    writeFileSync(path.join(input, 'sub', 'broken.png'), 'garbage');
    const outDir = path.join(dir, 'batch-out');
    const r = (await h.service.run({
      kind: 'batch-denoise',
      params: { inputs: [input], outDir, modelId: model.id },
    })) as BatchDenoiseResult;
    expect(r.failed).toBe(1);
    expect(r.files.map((f) => [path.relative(input, f.input), f.ok])).toEqual([
      ['a.png', true],
      ['sub/b.png', true],
      ['sub/broken.png', false],
    ]);
    expect(r.files[2]!.error).toMatch(/broken\.png/);
    expect((await sharp(path.join(outDir, 'sub', 'b.png')).metadata()).width).toBe(30);
    expect(existsSync(path.join(outDir, 'sub', 'broken.png'))).toBe(false);
  });

  it('batch-denoise into a folder holding its outputs: refused as a whole, then kept both', async () => {
    const input = path.join(dir, 'batch-in');
    const outDir = path.join(dir, 'batch-out');
    const params = { inputs: [path.join(input, 'a.png'), path.join(input, 'sub', 'b.png')], outDir, modelId: model.id };
    const refused = h.service.run({ kind: 'batch-denoise', params });
    await expect(refused).rejects.toMatchObject({ code: 'exists' });
    await expect(refused).rejects.toThrow(/^1 of 2 output files exist already in the output folder \(a\.png\)$/);
    const r = (await h.service.run({
      kind: 'batch-denoise',
      params: { ...params, onClash: 'keep-both' },
    })) as BatchDenoiseResult;
    // A file input lands at the top of the output folder: b.png is new there, a.png is taken.
    expect(r.files.map((f) => path.basename(f.output!))).toEqual(['a (2).png', 'b.png']);
  });

  it('deletes an imported model but never a shipped one', async () => {
    expect(await api.handle('models:delete', { modelId: 'user/blur-5' })).toEqual({ deleted: true });
    expect(await api.handle('models:list', {})).toEqual([]);
    expect(await api.handle('models:delete', { modelId: 'user/blur-5' })).toEqual({ deleted: false });
  });
});

describe('a model that cannot do the job', () => {
  it('is refused at the start, in the words the model lists show, not with a tensor-shape error', async () => {
    // A digits model as the Lab saves it (the shipped dense VAE) and the colour denoiser, as user models.
    const models = path.join(h.dataDir, 'models');
    const copies = [
      ['digits-vae', 'digits-copy'],
      ['default', 'colour-copy'],
    ].flatMap(([from, to]) =>
      ['onnx', 'json'].map((ext) => {
        const file = path.join(models, `${to}.${ext}`);
        copyFileSync(path.resolve(`models/${from}.${ext}`), file);
        return file;
      }),
    );
    try {
      const denoise = h.service.start({
        kind: 'denoise',
        params: { imageId: noisy.imageId, modelId: 'user/digits-copy' },
      });
      await expect(denoise).rejects.toMatchObject({ code: 'bad-request' });
      await expect(denoise).rejects.toThrow(
        '“Digits VAE (2-D latent)” cannot do this: it works on 8×8 digit vectors, not photos',
      );
      // And the other way round: an image-to-image model has no code for the Latent workspace.
      await expect(h.service.start({ kind: 'latent-encode', params: { modelId: 'user/colour-copy' } })).rejects.toThrow(
        'cannot do this: it has no latent code to show',
      );
    } finally {
      for (const f of copies) rmSync(f);
    }
  });
});

describe('camera noise through the service', () => {
  it('adds a simulated camera’s noise, seeded, with its noise-free twin to score against', async () => {
    const params = { imageId: clean.imageId, type: 'camera', level: 'high', jpegQuality: 80, seed: 4 } as const;
    const a = (await h.service.run({ kind: 'add-noise', params })) as ImageInfo & { reference: ImageInfo };
    const b = (await h.service.run({ kind: 'add-noise', params })) as ImageInfo & { reference: ImageInfo };
    expect(a).toMatchObject({ width: 96, height: 80, channels: 3 });
    expect(a.reference).toMatchObject({ width: 96, height: 80, channels: 3 });
    expect(a.name).toContain('camera high, JPEG 80 (seed 4)');
    const score = async (ref: ImageInfo, test: ImageInfo) =>
      (await h.service.run({
        kind: 'evaluate',
        params: { referenceId: ref.imageId, testId: test.imageId },
      })) as EvaluateResult;
    // The same seed, the same camera and noise; "high" is far from its twin, the twin near the photo.
    expect((await score(a, b)).mse).toBe(0);
    const noisyVsTwin = (await score(a.reference, a)).psnr!;
    expect(noisyVsTwin).toBeLessThan(30);
    expect((await score(clean, a.reference)).psnr!).toBeGreaterThan(noisyVsTwin + 5);
    await expect(
      h.service.run({ kind: 'add-noise', params: { ...params, level: 'extreme' as never } }),
    ).rejects.toThrow(/level/);
  });
});
