import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createExecutor } from '../../../main/engine/exec/index.js';
import { Tensor } from '../../../main/engine/ir/tensor.js';
import { buildInference } from '../../../main/engine/nn/index.js';
import { preset } from '../../../common/model/index.js';
import { parseDenseSpec } from '../../../main/ml/architecture-file.js';
import { readCheckpoint } from '../../../main/ml/train/checkpoint.js';
import { RunControl } from '../../../main/ml/train/control.js';
import { SampleDataset, loadDigits } from '../../../main/ml/train/datasets.js';
import { evaluateModel } from '../../../main/ml/train/evaluate.js';
import { runOnce } from '../../../main/ml/analysis/latent.js';
import { ResumeMismatchError, TrainDivergedError, initialParams, train } from '../../../main/ml/train/trainer.js';
import { tempDir } from '../../helpers/temp-dir.js';

const digits = (await loadDigits()).subset(Array.from({ length: 40 }, (_, i) => i));
const arch = parseDenseSpec('dense:64-16-64:relu,sigmoid');
const tmp = () => tempDir('dl-train-loop-');
const bits = (t: Tensor) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);

describe('trainer', () => {
  it('first-step loss is the MSE of the initial model on the first batch; the loss then decreases', async () => {
    const exec = await createExecutor('ort-node', { threads: 1 });
    const losses: number[] = [];
    const r = await train({
      arch,
      data: digits,
      batch: 8,
      steps: 60,
      optimizer: { kind: 'adam' },
      lr: 1e-2,
      seed: 4,
      shuffle: false,
      executor: exec,
      onStep: (s) => losses.push(s.loss),
    });
    expect(r.status).toBe('completed');
    expect(losses).toHaveLength(60);
    // Independently: run the exported inference graph on the first 8 digits with the seed's initial parameters.
    const init = initialParams(arch, 4);
    const x = new Tensor('float32', [8, 64], digits.all.subarray(0, 8 * 64));
    const y = (await runOnce(exec, buildInference(arch, { batch: 8 }).graph, init, { input: x })).output!
      .data as Float32Array;
    let se = 0;
    for (let i = 0; i < y.length; i++) se += (y[i]! - (x.data as Float32Array)[i]!) ** 2;
    expect(Math.abs(losses[0]! - se / y.length)).toBeLessThan(1e-6);
    const head = losses.slice(0, 5).reduce((a, b) => a + b) / 5;
    const tail = losses.slice(-5).reduce((a, b) => a + b) / 5;
    expect(tail).toBeLessThan(0.6 * head);
  });

  it('ORT-node and the reference interpreter train the same model to float32 tolerance', async () => {
    const run = async (name: 'ort-node' | 'reference') => {
      const losses: number[] = [];
      const r = await train({
        arch,
        data: digits,
        batch: 4,
        steps: 5,
        optimizer: { kind: 'sgd', momentum: 0.9 },
        lr: 0.1,
        seed: 1,
        noise: { type: 'gaussian', sigma: 25 },
        executor: await createExecutor(name),
        onStep: (s) => losses.push(s.loss),
      });
      return { losses, w: r.params.get('dec0.W')!.data as Float32Array };
    };
    const a = await run('ort-node');
    const b = await run('reference');
    a.losses.forEach((l, i) => expect(Math.abs(l - b.losses[i]!)).toBeLessThan(1e-5 * (1 + l)));
    for (let i = 0; i < a.w.length; i++) expect(Math.abs(a.w[i]! - b.w[i]!)).toBeLessThan(1e-5);
  });

  it('checkpoint → resume continues bit for bit (shuffling, noise, Adam state, epoch boundaries)', async () => {
    const exec = await createExecutor('ort-node', { threads: 1 });
    const dir = tmp();
    const base = {
      arch: preset('digits-vae')!,
      data: digits,
      batch: 6,
      optimizer: { kind: 'adam' as const },
      lr: 1e-2,
      seed: 9,
      noise: { type: 'gaussian' as const, sigma: 30 },
      executor: exec,
    };
    const full: number[] = [];
    const whole = await train({ ...base, steps: 17, onStep: (s) => full.push(s.loss) });
    const first: number[] = [];
    await train({
      ...base,
      steps: 8,
      checkpoint: { file: path.join(dir, 'a.ckpt') },
      onStep: (s) => first.push(s.loss),
    });
    const ck = await readCheckpoint(path.join(dir, 'a.ckpt'));
    expect(ck.state.step).toBe(8);
    const rest: number[] = [];
    const resumed = await train({ ...base, steps: 17, resume: ck, onStep: (s) => rest.push(s.loss) });
    expect([...first, ...rest]).toEqual(full);
    // Cancelled after step 8 of 17: step 9's batch was already drawn while step 8 ran, so the
    // checkpoint must record the data as it stood before that batch.
    const control = new RunControl();
    await train({
      ...base,
      steps: 17,
      control,
      checkpoint: { file: path.join(dir, 'b.ckpt') },
      onStep: (s) => s.step === 8 && control.cancel(),
    });
    const cancelled = await readCheckpoint(path.join(dir, 'b.ckpt'));
    expect(cancelled.state.step).toBe(8);
    const after: number[] = [];
    await train({ ...base, steps: 17, resume: cancelled, onStep: (s) => after.push(s.loss) });
    expect([...first, ...after]).toEqual(full);
    for (const [k, t] of whole.params) expect(bits(resumed.params.get(k)!).equals(bits(t)), k).toBe(true);
    for (const [k, t] of whole.optimizerState)
      expect(bits(resumed.optimizerState.get(k)!).equals(bits(t)), k).toBe(true);
    await expect(train({ ...base, batch: 5, steps: 17, resume: ck })).rejects.toThrow(
      /checkpoint was made with batch 6/,
    );
    // Typed, so each door says it in its own words without matching the message.
    await expect(train({ ...base, batch: 5, steps: 17, resume: ck })).rejects.toBeInstanceOf(ResumeMismatchError);
  });

  it('a diverging run stops with a clear error and keeps the last good checkpoint', async () => {
    const dir = tmp();
    const file = path.join(dir, 'run.ckpt');
    const seen: number[] = [];
    const err = await train({
      arch: parseDenseSpec('dense:64-16-64'),
      data: digits,
      batch: 8,
      steps: 50,
      optimizer: { kind: 'sgd' },
      lr: 1e10,
      seed: 1,
      executor: await createExecutor('ort-node', { threads: 1 }),
      checkpoint: { file, everySteps: 1 },
      onStep: (s) => seen.push(s.loss),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainDivergedError);
    const e = err as TrainDivergedError;
    expect(e.message).toMatch(/training diverged: the loss is (NaN|Infinity) at step \d+/);
    // The state after step k's update is vouched for by step k + 1's loss: the last finite loss
    // (step seen.length) vouches for step seen.length − 1; the next state gave the NaN.
    expect(e.message).toContain(`The last good checkpoint (step ${seen.length - 1}) is kept in ${file}.`);
    expect(e.step).toBe(seen.length + 1);
    const ck = await readCheckpoint(file);
    expect(ck.state.step).toBe(seen.length - 1);
    for (const t of ck.tensors.values()) expect(Array.from(t.data as Float32Array).every(Number.isFinite)).toBe(true);
  });

  it('pause, resume and cancel through the control token; progress reports carry throughput and ETA', async () => {
    const control = new RunControl();
    const dir = tmp();
    const progress: { step: number; etaMs: number; stepsPerSecond: number }[] = [];
    let clock = 0;
    const r = await train({
      arch,
      data: digits,
      batch: 4,
      steps: 100,
      optimizer: { kind: 'sgd' },
      lr: 0.1,
      seed: 2,
      executor: await createExecutor('reference'),
      control,
      checkpoint: { file: path.join(dir, 'c.ckpt') },
      now: () => (clock += 100),
      progressIntervalMs: 0,
      onProgress: (p) => progress.push(p),
      onStep: (s) => {
        if (s.step === 2) {
          control.pause();
          setTimeout(() => control.resume(), 20);
        }
        if (s.step === 5) control.cancel();
      },
    });
    expect(r.status).toBe('cancelled');
    expect(r.step).toBe(5);
    expect((await readCheckpoint(path.join(dir, 'c.ckpt'))).state.step).toBe(5);
    expect(progress.map((p) => p.step)).toEqual(expect.arrayContaining([1, 2, 3, 4, 5]));
    const p5 = progress.find((p) => p.step === 5)!;
    expect(p5.stepsPerSecond).toBeGreaterThan(0);
    expect(p5.etaMs).toBeCloseTo((95 * 1000) / p5.stepsPerSecond, 6);
    expect(existsSync(path.join(dir, 'c.ckpt'))).toBe(true);
  });

  it('an aborted AbortSignal cancels before the first step', async () => {
    const ac = new AbortController();
    ac.abort();
    const r = await train({
      arch,
      data: digits,
      batch: 4,
      steps: 10,
      optimizer: { kind: 'sgd' },
      lr: 0.1,
      seed: 2,
      executor: await createExecutor('reference'),
      control: new RunControl({ signal: ac.signal }),
    });
    expect([r.status, r.step]).toEqual(['cancelled', 0]);
  });
});

describe('evaluation per variant', () => {
  it('reports sparsity, ELBO, Jacobian sensitivity and PSNR/SSIM where they apply', async () => {
    const exec = await createExecutor('ort-node', { threads: 1 });
    const ds = await loadDigits();
    const c = preset('digits-contractive')!;
    const ce = await evaluateModel({ arch: c, params: initialParams(c, 1) }, ds, { executor: exec, maxSamples: 64 });
    expect(ce.samples).toBe(64);
    expect(ce.jacobianNorm).toBeGreaterThan(0);
    expect(ce.sparsity!.meanActivation).toBeGreaterThan(0);
    expect(ce.vae).toBeNull();
    expect(ce.ssim).toBeNull(); // 8×8 is below SSIM's 11×11 window
    const v = preset('digits-vae')!;
    const ve = await evaluateModel({ arch: v, params: initialParams(v, 1) }, ds, { executor: exec, maxSamples: 64 });
    expect(ve.vae!.elbo).toBeCloseTo(-(ve.vae!.recon + ve.vae!.kl), 10);
    expect(ve.vae!.kl).toBeGreaterThanOrEqual(0);
    // A residual denoiser initialised with its last layer at zero is the identity: output PSNR = input PSNR.
    const r = preset('ref-dae')!;
    const params = initialParams(r, 1);
    params.set('conv6.weight', new Tensor('float32', [1, 32, 3, 3]));
    params.set('conv6.bias', new Tensor('float32', [1]));
    const flat = new SampleDataset(
      'flat',
      [1, 16, 16],
      Float32Array.from({ length: 4 * 256 }, (_, i) => 0.25 + 0.5 * ((i % 16) / 16)),
    );
    const re = await evaluateModel({ arch: r, params }, flat, { executor: exec });
    expect(re.noisyPsnr).not.toBeNull();
    expect(re.psnr).toBeCloseTo(re.noisyPsnr!, 10);
    expect(re.ssim).toBeCloseTo(re.noisySsim!, 10);
    expect(re.noisyPsnr!).toBeGreaterThan(18);
    expect(re.noisyPsnr!).toBeLessThan(24); // σ = 25: 20.2 dB before clipping
  });
});
