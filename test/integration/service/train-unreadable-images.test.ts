// A training job on a folder with an unreadable image trains on the rest: the worker says which
// files it skipped before the first step and counts them (skipped_images) in its metrics events and its result.
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobResult } from '../../../common/contract/index.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { buildWorker, startService, type Harness } from './harness.js';

let worker: Awaited<ReturnType<typeof buildWorker>>;
let h: Harness;

beforeAll(async () => {
  worker = await buildWorker();
  h = startService(worker.workerPath);
});
afterAll(async () => {
  await h.close();
  worker.dispose();
});

describe('training job on a folder with unreadable images', () => {
  it('skips them, names them and counts them in the metrics', async () => {
    const dir = tempDir('dl-unreadable-');
    const crops = path.resolve('test/fixtures/imaging/crops');
    copyFileSync(path.join(crops, 'camera_crop.png'), path.join(dir, 'a.png'));
    copyFileSync(path.join(crops, 'astronaut_crop.png'), path.join(dir, 'b.png'));
    writeFileSync(path.join(dir, 'broken.png'), 'not a png');
    const { jobId } = await h.service.start({
      kind: 'train',
      params: {
        architecture: 'dense:256-16-256',
        data: { kind: 'folder', path: dir },
        patch: 16,
        noise: { type: 'none', level: 0 },
        steps: 3,
        batch: 4,
        lr: 0.01,
        seed: 1,
      },
    });
    const o = await h.service.wait(jobId);
    expect(o.state).toBe('done');
    const events = h.events.filter((e) => e.jobId === jobId);
    // Said before the first step (the service may repeat an event; the worker posts it once).
    const said = events.findIndex((e) => e.message === 'skipped 1 unreadable image: broken.png');
    const stepped = events.findIndex((e) => (e.step ?? 0) > 0);
    expect(said).toBeGreaterThanOrEqual(0);
    expect(said).toBeLessThan(stepped);
    expect(events.some((e) => e.metrics?.skipped_images === 1)).toBe(true);
    expect((o as { result: JobResult<'train'> }).result.metrics.skipped_images).toBe(1);
  });
});
