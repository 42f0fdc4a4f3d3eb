// The one training session the CLI and the worker's train job both run: it trains exactly what the
// trainer trains, and reports the loss, chart points and the step a pause stopped at.
import { describe, expect, it } from 'vitest';
import { createExecutor } from '../../../main/engine/exec/index.js';
import type { Tensor } from '../../../main/engine/ir/tensor.js';
import { parseDenseSpec } from '../../../main/ml/architecture-file.js';
import { RunControl } from '../../../main/ml/train/control.js';
import { loadDigits } from '../../../main/ml/train/datasets.js';
import { type ChartPoint, type SessionState, runTrainingSession } from '../../../main/ml/train/session.js';
import { train } from '../../../main/ml/train/trainer.js';

const digits = (await loadDigits()).subset(Array.from({ length: 40 }, (_, i) => i));
const arch = parseDenseSpec('dense:64-16-64:relu,sigmoid');
const bits = (t: Tensor) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);

describe('training session', () => {
  it('trains what the trainer trains, with chart points, progress and the exact pause step', async () => {
    const executor = await createExecutor('reference');
    const run = { arch, data: digits, noise: null, batch: 8, optimizer: { kind: 'sgd' as const }, lr: 0.1, seed: 3 };
    const plain = await train({ ...run, epochs: 1, executor });

    const control = new RunControl();
    // Each step's loss and its terms, as the charts name them ('loss/<term>').
    const losses: Record<string, number>[] = [];
    const chart: ChartPoint[] = [];
    const paused: (SessionState & { chart: ChartPoint[] })[] = [];
    const progress: { step: number; paused: boolean; chart: ChartPoint[]; throughput: Record<string, number> }[] = [];
    const r = await runTrainingSession({
      ...run, // no steps: one epoch of 40 samples in batches of 8
      executor,
      control,
      progressIntervalMs: 0,
      onStep: (s) => {
        losses.push({ loss: s.loss, ...Object.fromEntries(Object.entries(s.terms).map(([k, v]) => [`loss/${k}`, v])) });
        if (s.step === 2) {
          control.pause();
          setTimeout(() => control.resume(), 20);
        }
      },
      onChart: (points) => chart.push(...points),
      onPause: (s) => paused.push(s),
      onProgress: (p) =>
        progress.push({ step: p.progress.step, paused: p.progress.paused, chart: p.chart, throughput: p.throughput }),
    });

    expect([r.status, r.step, r.totalSteps]).toEqual(['completed', 5, 5]);
    for (const [k, t] of plain.params) expect(bits(r.params.get(k)!).equals(bits(t)), k).toBe(true);
    expect(r.lastLoss).toBe(plain.lastLoss);
    expect(Object.keys(losses[0]!)).toEqual(['loss', 'loss/recon']);
    expect(r.loss).toEqual(losses[4]);
    // A 5-step run records the loss at every step.
    expect(chart).toEqual(losses.map((values, i) => ({ series: 'loss', step: i + 1, values })));
    // Paused after step 2: the report says so, with step 2's loss.
    expect(paused).toEqual([
      {
        step: 2,
        totalSteps: 5,
        loss: losses[1],
        throughput: expect.any(Object),
        chart: [{ series: 'loss', step: 2, values: losses[1] }],
      },
    ]);
    // No progress repeats the pause; each report ends its chart with the speed at its step.
    expect(progress.some((p) => p.paused)).toBe(false);
    // (Step 2's report went out paused, as the pause came in its onStep: the pause report stands for it.)
    expect([...new Set(progress.map((p) => p.step))]).toEqual([1, 3, 4, 5]);
    for (const p of progress) {
      expect(p.chart.at(-1)).toEqual({ series: 'throughput', step: p.step, values: p.throughput });
      expect(Object.keys(p.throughput)).toEqual(['steps_per_s', 'samples_per_s']);
    }
  });
});
