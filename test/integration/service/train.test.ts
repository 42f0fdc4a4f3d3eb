// Training through the job service and its worker: progress with falling loss, validation and
// the reconstruction gallery; pause/resume/cancel; a diverging run fails with the trainer's message
// and keeps its last good checkpoint; checkpoints are listed from the user's data folder.
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import type { CheckpointInfo, HistoryPoint, JobEvent, JobResult } from '../../../common/contract/index.js';
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

function eventsOf(jobId: string): JobEvent[] {
  return h.events.filter((e) => e.jobId === jobId);
}

describe('train through the service', () => {
  it('trains a tiny dense model on the digits: loss falls, validation and gallery arrive', async () => {
    const { jobId } = await h.service.start({ kind: 'train', params: { ...digitsRun, steps: 300 } });
    const o = await h.service.wait(jobId);
    expect(o.state).toBe('done');
    const result = (o as { result: JobResult<'train'> }).result;
    expect(result.steps).toBe(300);
    const events = eventsOf(jobId).filter((e) => e.state === 'running' && e.metrics?.loss !== undefined);
    const losses = events.map((e) => e.metrics!.loss!);
    expect(losses.length).toBeGreaterThanOrEqual(2);
    // Steps only go forward, and the loss falls: the sigmoid output's MSE at step 1 is 0.184 (seed 1);
    // 300 Adam steps at 1e-2 bring it to ≈ 0.02–0.04. The first event need not be step 1's: the
    // worker posts progress at most every 100 ms and merges what comes sooner, and a fast machine
    // runs all 300 steps inside one such window, so the fall is measured from step 1's known loss.
    const steps = events.map((e) => e.step);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(losses.at(-1)!).toBeLessThan(0.184 / 3);
    expect(result.metrics.loss!).toBeLessThan(0.06);
    // Validation on the held-out fifth of the digits (359 samples), PSNR of the reconstruction in dB.
    expect(result.metrics.val_psnr!).toBeGreaterThan(14);
    expect(result.metrics.val_mse!).toBeLessThan(0.05);
    const last = eventsOf(jobId).at(-1)!;
    expect(last).toMatchObject({ state: 'done', fraction: 1, step: 300, total: 300 });
    expect(last.metrics?.steps_per_s).toBeGreaterThan(0);
    // The gallery: clean / noisy / output, 8 digits each, enlarged 4× (8 × 32 px + 7 gaps).
    expect(last.preview?.map((p) => p.label)).toEqual(['clean', 'noisy', 'output']);
    expect(last.preview![2]!.image).toMatchObject({ width: 263, height: 32, channels: 1 });
    expect(existsSync(h.service.imagePreviewFile(last.preview![2]!.image.imageId)!)).toBe(true);
    // The final checkpoint is in the data folder and listed.
    expect(result.checkpoint).toMatchObject({ checkpointId: jobId, jobId, step: 300 });
    const listed = (await api.handle('checkpoints:list', { jobId })) as CheckpointInfo[];
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ checkpointId: `${jobId}.step-300`, step: 300 });
    expect(listed[0]!.metrics.loss).toBeCloseTo(result.metrics.loss!, 10);
    expect(existsSync(listed[0]!.path)).toBe(true);

    // The chart history (what a reloaded page redraws): every one of the 300 steps' loss once, at
    // its step, the last exactly the final loss; validation points each at their own step, once.
    const { points } = (await api.handle('jobs:history', { jobId })) as { points: HistoryPoint[] };
    const lossSteps = points.filter((p) => p.series === 'loss').map((p) => p.step);
    expect(lossSteps).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(points.filter((p) => p.series === 'loss').at(-1)!.values.loss).toBe(result.metrics.loss);
    const validation = points.filter((p) => p.series === 'validation');
    expect(validation.length).toBeGreaterThanOrEqual(1);
    expect(new Set(validation.map((p) => p.step)).size).toBe(validation.length);
    expect(validation.at(-1)).toMatchObject({ step: 300, values: { val_psnr: result.metrics.val_psnr } });
    // The events carried the same points, each once (heartbeats repeat none).
    const sent = eventsOf(jobId).flatMap((e) => e.points ?? []);
    expect(sent.filter((p) => p.series === 'validation')).toEqual(validation);
    expect(new Set(sent.filter((p) => p.series === 'loss').map((p) => p.step)).size).toBe(300);
    // The previews say which step's weights made them.
    expect(last.preview!.every((p) => p.step === 300)).toBe(true);
  });

  it('starts a training once when the same request comes twice within a second', async () => {
    const request = { kind: 'train' as const, params: { ...digitsRun, steps: 1_000_000, seed: 7 } };
    const { jobId } = await h.service.start(request);
    try {
      await expect(h.service.start(request)).rejects.toThrow(
        /this training was started a moment ago.*not started twice/,
      );
      expect(
        h.service.list().filter((j) => j.kind === 'train' && j.state !== 'done' && j.state !== 'failed'),
      ).toHaveLength(1);
    } finally {
      h.service.cancel(jobId);
    }
    expect((await h.service.wait(jobId)).state).toBe('cancelled');
  });

  it('resumes from a checkpoint exactly: 20 + 20 steps end where 40 straight steps do', async () => {
    const straight = (await h.service.run({
      kind: 'train',
      params: { ...digitsRun, steps: 40 },
    })) as JobResult<'train'>;
    const first = (await h.service.run({ kind: 'train', params: { ...digitsRun, steps: 20 } })) as JobResult<'train'>;
    const resumed = (await h.service.run({
      kind: 'train',
      params: { ...digitsRun, steps: 40, resumeFrom: first.checkpoint.checkpointId },
    })) as JobResult<'train'>;
    expect(resumed.steps).toBe(40);
    expect(resumed.metrics.loss).toBe(straight.metrics.loss);
    expect(resumed.metrics.val_mse).toBe(straight.metrics.val_mse);
    // A checkpoint of another run configuration is refused with the reason.
    await expect(
      h.service.run({
        kind: 'train',
        params: { ...digitsRun, batch: 16, steps: 40, resumeFrom: first.checkpoint.checkpointId },
      }),
    ).rejects.toThrow(/resume: the checkpoint was made with batch 32, this run has 16/);
    await expect(
      h.service.run({ kind: 'train', params: { ...digitsRun, steps: 40, resumeFrom: 'missing' } }),
    ).rejects.toThrow(/cannot resume from checkpoint 'missing'/);
  });

  it('rejects steps and epochs together, or neither, before anything is queued', async () => {
    await expect(h.service.start({ kind: 'train', params: { ...digitsRun, steps: 5, epochs: 1 } })).rejects.toThrow(
      /exactly one of steps and epochs/,
    );
    await expect(h.service.start({ kind: 'train', params: digitsRun })).rejects.toThrow(/exactly one/);
  });

  it('refuses an architecture that does not fit the data with a clear message', async () => {
    const { jobId } = await h.service.start({
      kind: 'train',
      params: { ...digitsRun, architecture: 'dense:8-3-8', steps: 5 },
    });
    const o = await h.service.wait(jobId);
    expect(o).toMatchObject({ state: 'failed', error: expect.stringMatching(/digits.*does not fit/) });
  });

  it('pauses, resumes and cancels a training job; the pause and the cancel each keep a checkpoint', async () => {
    const { jobId } = await h.service.start({ kind: 'train', params: { ...digitsRun, steps: 1_000_000 } });
    let pausedAt = 0;
    try {
      await until(() => eventsOf(jobId).some((e) => e.step > 0), 20_000);
      h.service.pause(jobId);
      await until(() => h.service.get(jobId).state === 'paused');
      pausedAt = h.service.get(jobId).step;
      await new Promise((r) => setTimeout(r, 600));
      // No step is taken while paused.
      expect(h.service.get(jobId)).toMatchObject({ state: 'paused', step: pausedAt });
      h.service.resume(jobId);
      await until(() => h.service.get(jobId).state === 'running' && h.service.get(jobId).step > pausedAt);
    } finally {
      h.service.cancel(jobId); // also when an expectation failed: the training lane must be free again
    }
    const o = await h.service.wait(jobId);
    expect(o.state).toBe('cancelled');
    const listed = (await api.handle('checkpoints:list', { jobId })) as CheckpointInfo[];
    expect(listed).toHaveLength(2);
    expect(listed[0]!.step).toBeGreaterThan(pausedAt);
    expect(listed[1]!.step).toBe(pausedAt);
  });

  it('a diverging run (lr 1e10) fails with the trainer message and keeps the last good checkpoint', async () => {
    const { jobId } = await h.service.start({
      kind: 'train',
      params: {
        ...digitsRun,
        architecture: 'dense:64-16-64', // linear output: nothing bounds the loss
        optimizer: 'sgd',
        lr: 1e10,
        steps: 50,
        checkpointEvery: 1,
      },
    });
    const o = await h.service.wait(jobId);
    expect(o).toMatchObject({ state: 'failed', error: expect.stringMatching(/training diverged: the loss is/) });
    const error = (o as { error: string }).error;
    const failedAt = Number(/at step (\d+)/.exec(error)![1]);
    // Step k's state is vouched for by step k + 1's loss: the state after step failedAt − 1 gave
    // the non-finite loss, so the last good one is failedAt − 2.
    expect(error).toMatch(new RegExp(`The last good checkpoint \\(step ${failedAt - 2}\\) is kept`));
    expect(error).not.toMatch(/\.ckpt/);
    const listed = (await api.handle('checkpoints:list', { jobId })) as CheckpointInfo[];
    expect(listed).toHaveLength(1);
    expect(listed[0]!.step).toBe(failedAt - 2);
    expect(Number.isFinite(listed[0]!.metrics.loss)).toBe(true);
  });
});
