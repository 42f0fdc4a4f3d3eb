// Cancelling a denoise or batch job: the job ends in state 'cancelled' (not 'failed') within a
// second of the request, even while a tile is inside onnxruntime, and leaves no output behind.
// The model is the conv-ae-b2 layout with random weights, exported here: tiny on disk (16 k
// parameters), but a 1024-pixel colour tile through it (the memory-sized tile) takes seconds, so
// a cancel that waited for the tile to finish could not end in time. The photos are two tiles wide: a cancel seen only
// at the next tile used to end the job as 'failed: denoising cancelled'.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { preset } from '../../../common/model/presets.js';
import { initialParams } from '../../../main/ml/train/trainer.js';
import { exportOnnx, modelCard } from '../../../main/ml/model-file.js';
import type { ImageInfo, JobEvent, ModelCard } from '../../../common/contract/index.js';
import { ApiService } from '../../../main/service/api-service.js';
import { buildWorker, startService, until, writeTestPng, type Harness } from './harness.js';
import { tempDir } from '../../helpers/temp-dir.js';

const SIDE = 768;
let worker: Awaited<ReturnType<typeof buildWorker>>;
let h: Harness;
let api: ApiService;
let dir: string;
let photo: ImageInfo;
let model: ModelCard;

beforeAll(async () => {
  worker = await buildWorker();
  h = startService(worker.workerPath);
  // The web door reads only what it was given: the tests' temp folders and the fixture models.
  api = new ApiService(h.service, { door: 'web', allow: [tmpdir(), path.resolve('test/fixtures')] });
  dir = tempDir();
  const arch = preset('conv-ae-b2')!;
  writeFileSync(path.join(dir, 'slow.onnx'), exportOnnx(arch, initialParams(arch, 1), modelCard(arch, {})));
  model = (await api.handle('models:import', { path: path.join(dir, 'slow.onnx') })) as ModelCard;
  await writeTestPng(path.join(dir, 'big.png'), 2 * SIDE, SIDE);
  photo = (await api.handle('images:open', { path: path.join(dir, 'big.png') })) as ImageInfo;
});
afterAll(async () => {
  await h.close();
  worker.dispose();
});

/** Waits until the job is inside its first tile, cancels it, and returns the outcome and how long it took. */
async function cancelMidTile(jobId: string): Promise<{ state: string; ms: number; events: JobEvent[] }> {
  await until(() => h.service.get(jobId).state === 'running');
  // Model loading and the noise estimate take a few ms; after this the tile is in onnxruntime.
  await new Promise((r) => setTimeout(r, 600));
  expect(h.service.get(jobId).state).toBe('running');
  const t0 = performance.now();
  h.service.cancel(jobId);
  const outcome = await h.service.wait(jobId);
  return {
    state: outcome.state,
    ms: performance.now() - t0,
    events: h.events.filter((e) => e.jobId === jobId),
  };
}

describe('cancelling imaging jobs', () => {
  it('a denoise ends as cancelled within 1 s, mid-tile, and stores no image', async () => {
    const imagesDir = path.join(h.service.sessionDir, 'images');
    const before = readdirSync(imagesDir).sort();
    const { jobId } = await h.service.start({
      kind: 'denoise',
      params: { imageId: photo.imageId, modelId: model.id, sigma: 10 },
    });
    const r = await cancelMidTile(jobId);
    expect(r.state).toBe('cancelled');
    expect(r.ms).toBeLessThan(1000);
    expect(r.events.some((e) => e.state === 'failed')).toBe(false);
    expect(h.service.get(jobId)).toMatchObject({ state: 'cancelled', message: 'cancelled' });
    expect(readdirSync(imagesDir).sort()).toEqual(before);
  });

  it('a batch ends as cancelled within 1 s, mid-file, and writes no output file', async () => {
    const input = path.join(dir, 'batch-in');
    mkdirSync(input);
    await writeTestPng(path.join(input, 'a.png'), 2 * SIDE, SIDE);
    await writeTestPng(path.join(input, 'b.png'), 2 * SIDE, SIDE);
    const outDir = path.join(dir, 'batch-out');
    const { jobId } = await h.service.start({
      kind: 'batch-denoise',
      params: { inputs: [input], outDir, modelId: model.id, sigma: 10 },
    });
    const r = await cancelMidTile(jobId);
    expect(r.state).toBe('cancelled');
    expect(r.ms).toBeLessThan(1000);
    expect(r.events.some((e) => e.state === 'failed')).toBe(false);
    // Nothing at all: no finished file, no temp file.
    expect(existsSync(outDir) ? readdirSync(outDir, { recursive: true }) : []).toEqual([]);
  });
});
