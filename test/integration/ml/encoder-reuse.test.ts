// Seed 001's encoder reuse on the built-in digits: train a small autoencoder, freeze its encoder,
// train a softmax head on its code, and compare with the same head on raw pixels.
import { describe, expect, it } from 'vitest';
import { createExecutor } from '../../../main/engine/exec/index.js';
import { preset } from '../../../common/model/index.js';
import { encoderClassification } from '../../../main/ml/analysis/classify.js';
import { loadDigits, splitEveryKth } from '../../../main/ml/train/datasets.js';
import { evaluateModel } from '../../../main/ml/train/evaluate.js';
import { encodeDataset } from '../../../main/ml/analysis/latent.js';
import { train } from '../../../main/ml/train/trainer.js';

describe('encoder reuse for classification (digits)', () => {
  it('a frozen 16-unit code classifies digits; raw pixels are the baseline; both far above chance', async () => {
    const exec = await createExecutor('ort-node', { threads: 1 });
    const digits = await loadDigits();
    const { train: trainSet, test } = splitEveryKth(digits);
    const arch = preset('digits-contractive')!; // 64-16-64, sigmoid code
    const trained = await train({
      arch,
      data: trainSet,
      batch: 32,
      steps: 600,
      optimizer: { kind: 'adam' },
      lr: 1e-2,
      seed: 1,
      executor: exec,
    });
    const ev = await evaluateModel({ arch, params: trained.params }, test, { executor: exec });
    expect(ev.mse).toBeLessThan(0.05);
    expect(ev.jacobianNorm).toBeGreaterThan(0);

    const report = await encoderClassification(
      { arch, params: trained.params },
      { executor: exec, data: digits, steps: 300, seed: 3 },
    );
    expect(report).toMatchObject({ classes: 10, trainSamples: 1438, testSamples: 359 });
    expect(report.encoder.features).toBe(16);
    expect(report.rawPixels.features).toBe(64);
    expect(report.rawPixels.testAccuracy).toBeGreaterThan(0.85);
    // Measured: encoder head 0.81, raw-pixel head 0.96 (seed 1/3, 600 + 300 steps).
    expect(report.encoder.testAccuracy).toBeGreaterThan(0.7);
    // The latent scatter of the test digits: 16-D points with their labels.
    const points = await encodeDataset({ arch, params: trained.params }, exec, test);
    expect(points.dims).toBe(16);
    expect(points.labels).toBe(test.labels);
  });
});
