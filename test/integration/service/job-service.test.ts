import { tmpdir } from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { ApiService } from '../../../main/service/api-service.js';
import { ImageStore } from '../../../main/worker/image-store.js';
import type { ImageInfo, EvaluateResult } from '../../../common/contract/index.js';
import { jobKinds } from '../../../common/contract/index.js';
import { buildWorker, startService, until, writeTestPng, type Harness } from './harness.js';
import { tempDir } from '../../helpers/temp-dir.js';

let worker: Awaited<ReturnType<typeof buildWorker>>;
let h: Harness;
let photo: string;

beforeAll(async () => {
  worker = await buildWorker();
  photo = path.join(tempDir(), 'gradient.png');
  await writeTestPng(photo);
});
afterAll(() => worker.dispose());
afterEach(async () => {
  await h?.close();
});

describe('job service: imaging jobs through the worker', () => {
  it('gives noise added to a JPEG no JPEG quality, and a simulated camera JPEG its own', async () => {
    h = startService(worker.workerPath);
    const api = new ApiService(h.service, { door: 'web', allow: [tmpdir()] });
    const jpeg = path.join(tempDir(), 'photo.jpg');
    await sharp(photo).jpeg({ quality: 70 }).toFile(jpeg);
    const opened = (await api.handle('images:open', { path: jpeg })) as ImageInfo;
    const quality = async (id: string) =>
      (await new ImageStore(path.dirname(h.service.imagePreviewFile(id)!)).load(id)).meta.jpegQuality;
    expect(await quality(opened.imageId)).toBeCloseTo(70, 0);
    const gaussian = (await h.service.run({
      kind: 'add-noise',
      params: { imageId: opened.imageId, type: 'gaussian', level: 10, seed: 1 },
    })) as ImageInfo;
    expect(await quality(gaussian.imageId)).toBeUndefined();
    const camera = (await h.service.run({
      kind: 'add-noise',
      params: { imageId: opened.imageId, type: 'camera', level: 'medium', jpegQuality: 65, seed: 1 },
    })) as ImageInfo;
    expect(await quality(camera.imageId)).toBeCloseTo(65, 0);
    const raw = (await h.service.run({
      kind: 'add-noise',
      params: { imageId: opened.imageId, type: 'camera', level: 'medium', seed: 1 },
    })) as ImageInfo;
    expect(await quality(raw.imageId)).toBeUndefined();
  });

  it('opens a photo, adds Gaussian noise and measures the expected PSNR', async () => {
    h = startService(worker.workerPath);
    const api = new ApiService(h.service, { door: 'web', allow: [tmpdir()] });
    const clean = (await api.handle('images:open', { path: photo })) as ImageInfo;
    expect(clean).toMatchObject({ width: 64, height: 48, channels: 3, bitDepth: 8, name: 'gradient.png' });
    expect(existsSync(h.service.imagePreviewFile(clean.imageId)!)).toBe(true);

    const noisy = (await h.service.run({
      kind: 'add-noise',
      params: { imageId: clean.imageId, type: 'gaussian', level: 25, seed: 7 },
    })) as ImageInfo;
    const m = (await h.service.run({
      kind: 'evaluate',
      params: { referenceId: clean.imageId, testId: noisy.imageId },
    })) as EvaluateResult;
    // σ = 25 on [60, 190] data: MSE ≈ 625 minus a little from rounding to 8 bits in neither image.
    expect(m.mse).toBeGreaterThan(560);
    expect(m.mse).toBeLessThan(690);
    expect(m.psnr!).toBeCloseTo(10 * Math.log10((255 * 255) / m.mse), 10);
    expect(Math.abs(m.psnr! - 20.17)).toBeLessThan(0.45);
    expect(m.ssim).toBeGreaterThan(0);
    expect(m.ssim).toBeLessThan(0.6);
    expect(m.ssimMap).toMatchObject({ width: 64, height: 48, channels: 1 });

    // The same seed gives the same noise: an identical image, PSNR null (infinite), SSIM 1.
    const again = (await h.service.run({
      kind: 'add-noise',
      params: { imageId: clean.imageId, type: 'gaussian', level: 25, seed: 7 },
    })) as ImageInfo;
    const same = (await h.service.run({
      kind: 'evaluate',
      params: { referenceId: noisy.imageId, testId: again.imageId, ssimMap: false },
    })) as EvaluateResult;
    expect(same).toMatchObject({ psnr: null, mse: 0, ssim: 1, ssimMap: null });

    const done = h.events.filter((e) => e.state === 'done');
    expect(done.map((e) => e.kind)).toEqual(['open-image', 'add-noise', 'evaluate', 'add-noise', 'evaluate']);
  });

  it('answers a missing file and an unknown image with clear errors', async () => {
    h = startService(worker.workerPath);
    const api = new ApiService(h.service, { door: 'web', allow: [tmpdir()] });
    await expect(api.handle('images:open', { path: path.join(tmpdir(), 'no-such-photo.png') })).rejects.toThrow(
      /no such file/,
    );
    await expect(
      h.service.start({ kind: 'add-noise', params: { imageId: 'nope', type: 'gaussian', level: 5 } }),
    ).rejects.toThrow(/no image with id 'nope'/);
  });

  it('rejects malformed requests before queueing them', async () => {
    h = startService(worker.workerPath);
    const api = new ApiService(h.service, { door: 'web', allow: [tmpdir()] });
    await expect(
      h.service.start({ kind: 'add-noise', params: { imageId: 'x', type: 'gaussian' } }),
    ).rejects.toMatchObject({
      message: 'The noise level is missing.',
      details: expect.stringMatching(/^invalid job request: params\.level: /),
    });
    await expect(h.service.start({ kind: 'rm -rf', params: {} })).rejects.toThrow(
      'The kind is not one this version of Denoise Lab knows.',
    );
    await expect(h.service.start('not even an object')).rejects.toThrow('The request is of the wrong kind.');
    await expect(api.handle('fs:read', { path: '/etc/passwd' })).rejects.toThrow(/unknown channel/);
    await expect(api.handle('jobs:cancel', { jobId: 42 })).rejects.toThrow(/jobId/);
    expect(h.service.list()).toEqual([]);
  });

  it('refuses debug jobs unless enabled; every other kind of the contract is available', async () => {
    h = startService(worker.workerPath, { debugJobs: false });
    await expect(h.service.start({ kind: 'debug', params: { action: 'count' } })).rejects.toThrow(/unknown job kind/);
    const kinds = await h.service.availableKinds();
    expect([...kinds].sort()).toEqual(
      Object.keys(jobKinds)
        .filter((k) => k !== 'debug')
        .sort(),
    );
  });
});

describe('job service: progress, pause, cancel', () => {
  it('emits progress at least twice per second while a job runs', async () => {
    h = startService(worker.workerPath, { heartbeatMs: 400 });
    const { jobId } = await h.service.start({ kind: 'debug', params: { action: 'count', steps: 4, stepMs: 400 } });
    const o = await h.service.wait(jobId);
    expect(o.state).toBe('done');
    const running = h.events.filter((e) => e.jobId === jobId && e.state === 'running');
    // 1.6 s of running: at least 3 events (in practice ~8: heartbeats plus step reports).
    expect(running.length).toBeGreaterThanOrEqual(3);
    const fractions = running.map((e) => e.fraction ?? 0);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    const last = h.events.filter((e) => e.jobId === jobId).at(-1)!;
    expect(last).toMatchObject({ state: 'done', fraction: 1, step: 4, total: 4, etaSeconds: 0 });
    expect(running.some((e) => e.etaSeconds !== null && e.etaSeconds > 0)).toBe(true);
  });

  it('pauses and resumes a running job, which then completes every step', async () => {
    h = startService(worker.workerPath);
    const { jobId } = await h.service.start({ kind: 'debug', params: { action: 'count', steps: 20, stepMs: 20 } });
    await until(() => h.events.some((e) => e.jobId === jobId && e.step >= 3));
    h.service.pause(jobId);
    await until(() => h.service.get(jobId).state === 'paused');
    const stepAtPause = h.service.get(jobId).step;
    await new Promise((r) => setTimeout(r, 300));
    // Nothing advances while paused.
    expect(h.service.get(jobId)).toMatchObject({ state: 'paused', step: stepAtPause });
    h.service.resume(jobId);
    const o = await h.service.wait(jobId);
    expect(o).toMatchObject({ state: 'done', result: { steps: 20 } });
    const states = h.events.filter((e) => e.jobId === jobId).map((e) => e.state);
    expect(states).toContain('paused');
    expect(states.at(-1)).toBe('done');
  });

  it('refuses to pause a job kind that cannot pause', async () => {
    h = startService(worker.workerPath);
    const clean = (await h.service.run({ kind: 'open-image', params: { path: photo } })) as ImageInfo;
    const { jobId } = await h.service.start({
      kind: 'evaluate',
      params: { referenceId: clean.imageId, testId: clean.imageId },
    });
    expect(() => h.service.pause(jobId)).toThrow(/cannot be paused/);
    await h.service.wait(jobId);
  });

  it('cancels a running job and leaves no partial file behind', async () => {
    h = startService(worker.workerPath);
    const { jobId } = await h.service.start({
      kind: 'debug',
      params: { action: 'count', steps: 1000, stepMs: 10, writeFile: true },
    });
    const scratch = path.join(h.service.sessionDir, 'jobs', jobId);
    await until(() => existsSync(path.join(scratch, 'count.txt')));
    h.service.cancel(jobId);
    const o = await h.service.wait(jobId);
    expect(o.state).toBe('cancelled');
    await until(() => !existsSync(scratch));
    expect(existsSync(path.join(h.service.sessionDir, 'outputs', `${jobId}.txt`))).toBe(false);
    // A finished job of the same kind does publish its file: the test above can fail.
    const done = await h.service.start({
      kind: 'debug',
      params: { action: 'count', steps: 2, stepMs: 1, writeFile: true },
    });
    expect(await h.service.wait(done.jobId)).toMatchObject({ state: 'done' });
    expect(readdirSync(path.join(h.service.sessionDir, 'outputs'))).toEqual([`${done.jobId}.txt`]);
  });

  it('cancels a queued job at once', async () => {
    h = startService(worker.workerPath);
    const first = await h.service.start({ kind: 'debug', params: { action: 'count', steps: 50, stepMs: 10 } });
    const second = await h.service.start({ kind: 'debug', params: { action: 'count', steps: 5, stepMs: 10 } });
    expect(h.service.get(second.jobId).state).toBe('queued'); // one training-lane job at a time
    expect(h.service.cancel(second.jobId).state).toBe('cancelled');
    h.service.cancel(first.jobId);
    expect((await h.service.wait(first.jobId)).state).toBe('cancelled');
  });
});

describe('job service: worker crashes', () => {
  it('fails the crashing job with the reason, starts a fresh worker, and other jobs continue', async () => {
    h = startService(worker.workerPath);
    const clean = (await h.service.run({ kind: 'open-image', params: { path: photo } })) as ImageInfo;
    const crash = await h.service.start({ kind: 'debug', params: { action: 'crash-exit' } });
    const queued = await h.service.start({
      kind: 'add-noise',
      params: { imageId: clean.imageId, type: 'gaussian', level: 10 },
    });
    const o = await h.service.wait(crash.jobId);
    expect(o).toMatchObject({
      state: 'failed',
      error: expect.stringMatching(/worker stopped unexpectedly \(exit code 70\)/),
    });
    const next = await h.service.wait(queued.jobId);
    expect(next.state).toBe('done');
    // Images made before the crash are still usable by the new worker.
    const m = (await h.service.run({
      kind: 'evaluate',
      params: { referenceId: clean.imageId, testId: clean.imageId },
    })) as EvaluateResult;
    expect(m.psnr).toBeNull();
    // 2 restarts when the noise job was already running beside the crash (both re-run alone).
    expect([2, 3]).toContain(h.service.workerStarts);
  });

  it('reports running out of memory as the reason', async () => {
    h = startService(worker.workerPath, { workerResourceLimits: { maxOldGenerationSizeMb: 64 } });
    const crash = await h.service.start({ kind: 'debug', params: { action: 'crash-oom' } });
    const o = await h.service.wait(crash.jobId);
    expect(o).toMatchObject({ state: 'failed', error: expect.stringMatching(/out of memory/) });
    const after = await h.service.start({ kind: 'debug', params: { action: 'count', steps: 2, stepMs: 1 } });
    expect((await h.service.wait(after.jobId)).state).toBe('done');
  });

  it('a job that throws fails alone without restarting the worker', async () => {
    h = startService(worker.workerPath);
    const { jobId } = await h.service.start({ kind: 'debug', params: { action: 'throw' } });
    expect(await h.service.wait(jobId)).toMatchObject({ state: 'failed', error: 'debug job failed on purpose' });
    expect(h.service.workerStarts).toBe(1);
  });

  it('runs suspects alone after a crash shared by two jobs, so only the guilty one fails', async () => {
    h = startService(worker.workerPath, { imagingConcurrency: 2 });
    const clean = (await h.service.run({ kind: 'open-image', params: { path: photo } })) as ImageInfo;
    // An imaging job running beside the crash (the debug job is in the training lane).
    const slow = await h.service.start({
      kind: 'evaluate',
      params: { referenceId: clean.imageId, testId: clean.imageId },
    });
    const crash = await h.service.start({ kind: 'debug', params: { action: 'crash-exit' } });
    const [a, b] = await Promise.all([h.service.wait(slow.jobId), h.service.wait(crash.jobId)]);
    expect(a.state).toBe('done');
    expect(b.state).toBe('failed');
  });
});

describe('job service: what a killed run left behind', () => {
  it('removes stale temp files from the data folder when it starts, and only those', async () => {
    const dataDir = tempDir('dl-data-stale-');
    const models = path.join(dataDir, 'models');
    mkdirSync(models);
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!; // exited: its PID names no process
    const stale = path.join(models, `.mine.onnx.${dead}.0123abcd.tmp`);
    const live = path.join(models, `.other.onnx.${process.ppid}.0123abcd.tmp`);
    const model = path.join(models, 'mine.onnx');
    for (const f of [stale, live, model]) writeFileSync(f, 'bytes');
    h = startService(worker.workerPath, { dataDir });
    await until(() => !existsSync(stale));
    expect(readdirSync(models).sort()).toEqual([path.basename(live), 'mine.onnx'].sort());
  });
});
