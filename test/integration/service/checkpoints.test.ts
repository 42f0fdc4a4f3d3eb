// The checkpoints browser's service side: every kept checkpoint of every run in the data folder
// (this session's and an earlier one's), each resumable and savable as a model; a pause keeps one;
// deleting one removes only its files, never a running run's, never anything outside the folder.
import { tmpdir } from 'node:os';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckpointInfo, JobResult, JobSpecInput } from '../../../common/contract/index.js';
import { ApiService } from '../../../main/service/api-service.js';
import { buildWorker, startService, until, type Harness } from './harness.js';

let worker: Awaited<ReturnType<typeof buildWorker>>;
let h: Harness;
let api: ApiService;

beforeAll(async () => {
  worker = await buildWorker();
  h = startService(worker.workerPath);
  api = new ApiService(h.service, { door: 'web', allow: [tmpdir()] });
});
afterAll(async () => {
  await h.close();
  worker.dispose();
});

const digitsRun = {
  architecture: 'dense:64-16-64:relu,sigmoid',
  data: { kind: 'digits' as const },
  noise: { type: 'none' as const, level: 0 },
  lr: 0.01,
  batch: 32,
  seed: 1,
};

async function run<K extends JobSpecInput['kind']>(spec: Extract<JobSpecInput, { kind: K }>): Promise<JobResult<K>> {
  return (await h.service.run(spec)) as JobResult<K>;
}
const list = async (jobId?: string) =>
  (await api.handle('checkpoints:list', jobId ? { jobId } : {})) as CheckpointInfo[];
const remove = async (checkpointId: string) =>
  (await api.handle('checkpoints:delete', { checkpointId })) as { deleted: boolean };

describe('the checkpoints browser', () => {
  let jobId: string;
  let straight: JobResult<'train'>;

  beforeAll(async () => {
    const { jobId: id } = await h.service.start({
      kind: 'train',
      params: { ...digitsRun, steps: 60, checkpointEvery: 10 },
    });
    jobId = id;
    const o = await h.service.wait(jobId);
    straight = (o as { result: JobResult<'train'> }).result;
  });

  it('lists each kept checkpoint of a run with its step, loss, time and run', async () => {
    const listed = await list(jobId);
    const steps = listed.map((c) => c.step);
    // The last 3 are kept (the best beside them, when it is an earlier one), newest first.
    expect(steps.slice(0, 3)).toEqual([60, 50, 40]);
    expect(steps.length).toBeLessThanOrEqual(4);
    expect(listed.map((c) => c.checkpointId)).toEqual(steps.map((s) => `${jobId}.step-${s}`));
    expect(listed.filter((c) => c.best)).toHaveLength(1);
    for (const c of listed) {
      expect(c.jobId).toBe(jobId);
      expect(c.run).toMatchObject({ model: 'dense 64-16-64', data: expect.stringMatching(/^digits/) });
      expect(c.run.request).toMatchObject({ ...digitsRun, steps: 60, checkpointEvery: 10 });
      expect(Number.isNaN(Date.parse(c.createdAt))).toBe(false);
      expect(existsSync(c.path)).toBe(true);
      // Step 1's loss is 0.184 (seed 1); by step 40 the recent median is well below it.
      expect(c.metrics.loss).toBeGreaterThan(0);
      expect(c.metrics.loss).toBeLessThan(0.184);
    }
    // The latest carries the run's final metrics (validation included).
    expect(listed[0]!.metrics).toMatchObject({ loss: straight.metrics.loss, val_psnr: straight.metrics.val_psnr });
  });

  it('resumes from an intermediate checkpoint exactly, and saves one as a model', async () => {
    const resumed = await run({
      kind: 'train',
      params: { ...digitsRun, steps: 60, checkpointEvery: 10, resumeFrom: `${jobId}.step-40` },
    });
    expect(resumed.steps).toBe(60);
    expect(resumed.metrics.loss).toBe(straight.metrics.loss);

    const card = await run({ kind: 'save-model', params: { checkpointId: `${jobId}.step-40`, name: 'step 40' } });
    expect(card).toMatchObject({ kind: 'trained', trainingSteps: 40, architecture: 'dense 64-16-64' });
    expect(card.description).toMatch(/^trained 40 steps on digits/);
  });

  it('an earlier session’s runs are listed: a new service over the same data folder', async () => {
    const later = startService(worker.workerPath, { dataDir: h.dataDir });
    try {
      const again = new ApiService(later.service, { door: 'web', allow: [tmpdir()] });
      const listed = (await again.handle('checkpoints:list', {})) as CheckpointInfo[];
      expect(listed.map((c) => c.checkpointId).sort()).toEqual((await list()).map((c) => c.checkpointId).sort());
      expect(listed.some((c) => c.checkpointId === `${jobId}.step-40`)).toBe(true);
    } finally {
      await later.service.close();
    }
  });

  it('deletes one checkpoint: its file goes, the list and the run’s latest follow', async () => {
    const before = await list(jobId);
    const fifty = before.find((c) => c.step === 50)!;
    expect(await remove(fifty.checkpointId)).toEqual({ deleted: true });
    expect(existsSync(fifty.path)).toBe(false);
    expect((await list(jobId)).map((c) => c.step)).not.toContain(50);
    expect(await remove(fifty.checkpointId)).toEqual({ deleted: false });

    // Deleting the latest makes the newest that remains the run's latest (what `<jobId>` resumes).
    expect(await remove(`${jobId}.step-60`)).toEqual({ deleted: true });
    const after = await list(jobId);
    expect(after[0]!.step).toBe(40);
    const card = await run({ kind: 'save-model', params: { checkpointId: jobId, name: 'latest left' } });
    expect(card.trainingSteps).toBe(40);

    // The last one takes the run with it.
    for (const c of after) expect(await remove(c.checkpointId)).toEqual({ deleted: true });
    expect(await list(jobId)).toEqual([]);
    expect(existsSync(path.join(h.dataDir, 'checkpoints', `${jobId}.json`))).toBe(false);
    expect(existsSync(path.join(h.dataDir, 'checkpoints', `${jobId}.ckpt`))).toBe(false);
  });

  it('refuses ids that are not a checkpoint’s, and touches nothing outside the folder', async () => {
    const victim = path.join(h.dataDir, 'victim.ckpt');
    writeFileSync(victim, 'not yours');
    for (const bad of ['../victim', '..', 'a/b', `${jobId}.step-1/../../victim`, `${jobId}.step-`, '.step-3', 'x.ckpt'])
      await expect(remove(bad), bad).rejects.toMatchObject({ code: 'bad-request' });
    expect(existsSync(victim)).toBe(true);
  });

  it('a pause keeps a checkpoint; a run still training cannot lose its checkpoints', async () => {
    const { jobId: live } = await h.service.start({
      kind: 'train',
      params: { ...digitsRun, steps: 1_000_000, seed: 5, checkpointEvery: 100_000 },
    });
    let pausedAt: number;
    try {
      await until(() => h.service.get(live).step > 0, 20_000);
      h.service.pause(live);
      await until(() => h.service.get(live).state === 'paused', 20_000);
      pausedAt = h.service.get(live).step;
      // The pause's checkpoint is written before the run reports it paused.
      const listed = await list(live);
      expect(listed.map((c) => c.step)).toEqual([pausedAt]);
      await expect(remove(listed[0]!.checkpointId)).rejects.toMatchObject({
        code: 'unavailable',
        message: expect.stringMatching(/still training/),
      });
      expect(existsSync(listed[0]!.path)).toBe(true);
    } finally {
      h.service.cancel(live);
    }
    expect((await h.service.wait(live)).state).toBe('cancelled');
    // Once cancelled it can go (the cancel wrote one more, where it stopped).
    const kept = await list(live);
    expect(kept.at(-1)!.step).toBe(pausedAt);
    for (const c of kept) expect(await remove(c.checkpointId)).toEqual({ deleted: true });
    expect(await list(live)).toEqual([]);
  });
});
