// Whole-network gradient checks: for each network family, the training loss built by the model
// builders is differentiated by backward() and compared with central differences (float64,
// reference interpreter). Op-level checks cannot catch a mistake in how layers are wired together.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../common/rng.js';
import { evaluate } from '../../../main/engine/exec/reference/index.js';
import { backward } from '../../../main/engine/grad/index.js';
import { Tensor } from '../../../main/engine/ir/index.js';
import { architecture, type ArchitectureInput } from '../../../common/model/architecture.js';
import { buildTrainingModel } from '../../../main/engine/nn/objective.js';
import { initParams } from '../../../main/engine/nn/layers.js';
import { paramSpecs } from '../../../common/model/plan.js';
import { randomTensor } from './grad-check.js';

function check(network: ArchitectureInput['network'], sample: number[], loss: ArchitectureInput['loss'] = 'mse') {
  const arch = architecture({ network, init: 'kaiming', loss });
  const model = buildTrainingModel(arch, { batch: 2, sampleShape: sample, floatType: 'float64' });
  const g = model.forward.graph;
  const params = [...model.forward.params.values()];
  const grads = backward(g, model.loss, params);
  const rng = new Rng(5);
  // Random values everywhere, zero-initialised layers included: at zero a residual block's first
  // conv would get no gradient at all, and the check would pass without testing it.
  const init = initParams(
    paramSpecs(arch).map((s) => ({ ...s, init: 'kaiming' as const })),
    rng,
    'float64',
  );
  const feeds: Record<string, Tensor> = Object.fromEntries(init);
  for (const v of g.inputs) feeds[v.name] = randomTensor(rng, v.shape, 0, 1);
  const names = params.map((p) => grads.get(p.name)!.name);
  const analytic = evaluate(g, feeds, names);
  const lossAt = (f: Record<string, Tensor>) => evaluate(g, f, [model.loss.name])[model.loss.name]!.toNumbers()[0]!;
  const h = 1e-6;
  let checked = 0;
  params.forEach((p, k) => {
    const base = feeds[p.name]!;
    const got = analytic[names[k]!]!.toNumbers();
    // A few elements per parameter keep the test fast; which ones is seeded.
    for (let n = 0; n < 4; n++) {
      const i = rng.int(base.size);
      const plus = new Float64Array(base.data as Float64Array);
      const minus = new Float64Array(base.data as Float64Array);
      plus[i]! += h;
      minus[i]! -= h;
      const fd =
        (lossAt({ ...feeds, [p.name]: new Tensor('float64', base.shape, plus) }) -
          lossAt({ ...feeds, [p.name]: new Tensor('float64', base.shape, minus) })) /
        (2 * h);
      expect(Math.abs(got[i]! - fd), `${p.name}[${i}]: backward ${got[i]} vs ${fd}`).toBeLessThan(
        1e-7 + 1e-5 * Math.abs(fd),
      );
      checked++;
    }
  });
  return checked;
}

describe('whole-network gradients match finite differences', () => {
  it('residual denoiser at full resolution', () => {
    const net = { type: 'residual', channels: 1, features: 3, depth: 3, kernel: 3, noiseLevelInput: true } as const;
    expect(check(net, [1, 6, 6])).toBe(24);
  });
  it('FFDNet-style residual denoiser at half resolution (scale 2)', () => {
    const net = {
      type: 'residual',
      channels: 2,
      features: 3,
      depth: 3,
      kernel: 3,
      noiseLevelInput: true,
      scale: 2,
      predicts: 'image',
    } as const;
    expect(check(net, [2, 6, 8])).toBe(24);
  });
  it('half resolution with residual blocks, predicting the noise, noise-weighted MSE', () => {
    const net = {
      type: 'residual',
      channels: 2,
      features: 3,
      depth: 4,
      kernel: 3,
      noiseLevelInput: true,
      scale: 2,
      skips: true,
    } as const;
    expect(check(net, [2, 6, 8], 'noise-weighted-mse')).toBe(32);
  });
  it('convolutional autoencoder', () => {
    const net = { type: 'conv-ae' as const, channels: 1, stages: [2], bottleneck: 2 };
    expect(check(net, [1, 4, 4])).toBeGreaterThan(0);
  });
  it('dense autoencoder', () => {
    const net = { type: 'dense' as const, widths: [5, 3, 5], hidden: 'tanh' as const, output: 'sigmoid' as const };
    expect(check(net, [5])).toBe(16);
  });
});
