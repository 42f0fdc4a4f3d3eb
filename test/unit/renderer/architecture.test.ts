// The Lab's live parameter count must agree with the engine's layer plan for every design.
import { describe, expect, it } from 'vitest';
import { architecture } from '../../../main/engine/nn/architecture.js';
import { parameterCount as engineCount } from '../../../main/engine/nn/plan.js';
import { PRESET_NAMES, preset } from '../../../main/engine/nn/presets.js';
import {
  architectureJson,
  completeness,
  compressionRatio,
  denseLayerCounts,
  designProblems,
  latentIndex,
  parameterCount,
  type NetworkDesign,
  type VariantOptions,
} from '../../../renderer/src/lab/architecture.js';

const opts: VariantOptions = { sparsePenalty: 'l1', sparseTarget: 0.05, lambda: 0.01, beta: 1, loss: 'mse' };

describe('renderer parameter count', () => {
  it('gives the seeds’ worked numbers: 8-3-8 → 59, 10-8-4-8-10 → 254', () => {
    const d838: NetworkDesign = { type: 'dense', widths: [8, 3, 8], hidden: 'relu', output: 'linear', bias: true };
    expect(parameterCount(d838)).toBe(59);
    expect(denseLayerCounts(d838).map((l) => l.params)).toEqual([27, 32]);
    const stacked: NetworkDesign = {
      type: 'dense',
      widths: [10, 8, 4, 8, 10],
      hidden: 'relu',
      output: 'linear',
      bias: true,
    };
    expect(parameterCount(stacked)).toBe(254);
    expect(parameterCount({ ...d838, bias: false })).toBe(48);
  });

  it('matches the engine for every preset', () => {
    for (const name of PRESET_NAMES) {
      const arch = preset(name)!;
      // The Lab designs autoencoders and denoisers; noise estimators are trained from the CLI only.
      if (arch.network.type === 'estimator') continue;
      const net = arch.network as NetworkDesign;
      expect(parameterCount(net, arch.variant.type === 'variational'), name).toBe(engineCount(arch));
    }
  });

  it('matches the engine on a sweep of dense, VAE, conv and residual designs', () => {
    const designs: { net: NetworkDesign; variational: boolean }[] = [];
    for (const widths of [
      [8, 3, 8],
      [64, 32, 2, 32, 64],
      [5, 9, 2, 9, 5],
      [6, 2, 4, 2, 6],
      [12, 7, 3, 5, 12],
    ])
      for (const bias of [true, false])
        for (const variational of [false, true])
          designs.push({ net: { type: 'dense', widths, hidden: 'relu', output: 'linear', bias }, variational });
    for (const stages of [[8], [16, 32], [4, 6, 10]])
      for (const variational of [false, true])
        designs.push({ net: { type: 'conv-ae', channels: 3, stages, bottleneck: 5, bias: true }, variational });
    for (const noiseLevelInput of [false, true])
      for (const scale of [1, 2] as const)
        for (const skips of [false, true])
          designs.push({
            net: {
              type: 'residual',
              channels: 3,
              features: 12,
              depth: 4,
              kernel: 5,
              noiseLevelInput,
              bias: true,
              scale,
              skips,
            },
            variational: false,
          });
    for (const { net, variational } of designs) {
      const arch = architecture({
        network: net,
        variant: variational ? { type: 'variational', beta: 1 } : { type: 'basic' },
      });
      expect(parameterCount(net, variational), JSON.stringify(net)).toBe(engineCount(arch));
    }
  });

  it('finds the latent layer as the engine does (narrowest interior, first on ties)', () => {
    expect(latentIndex([64, 32, 2, 32, 64])).toBe(2);
    expect(latentIndex([6, 2, 4, 2, 6])).toBe(1);
    expect(latentIndex([64, 100, 64])).toBe(1);
  });
});

describe('compression and completeness', () => {
  it('conv bottleneck ratios of the presets: b2 8:1, b4 4:1, b8 2:1', () => {
    const conv = (bottleneck: number): NetworkDesign & { type: 'conv-ae' } => ({
      type: 'conv-ae',
      channels: 1,
      stages: [16, 32],
      bottleneck,
      bias: true,
    });
    expect([2, 4, 8].map((b) => compressionRatio(conv(b)))).toEqual([8, 4, 2]);
    expect(completeness(conv(16)).overcomplete).toBe(true);
    expect(completeness(conv(8)).overcomplete).toBe(false);
  });

  it('hidden ≥ input is overcomplete (seed 001: 50 inputs, 80 hidden)', () => {
    const d = (widths: number[]): NetworkDesign => ({
      type: 'dense',
      widths,
      hidden: 'relu',
      output: 'linear',
      bias: true,
    });
    expect(completeness(d([50, 80, 50]))).toEqual({ inputSize: 50, codeSize: 80, overcomplete: true });
    expect(completeness(d([10, 4, 10])).overcomplete).toBe(false);
    expect(completeness(d([4, 4, 4])).overcomplete).toBe(true);
  });
});

describe('architecture JSON for the train job', () => {
  it('is accepted by the engine and carries the variant’s weights', () => {
    const net: NetworkDesign = {
      type: 'dense',
      widths: [64, 16, 64],
      hidden: 'sigmoid',
      output: 'sigmoid',
      bias: true,
    };
    const sparse = architecture(
      architectureJson('sparse', net, { ...opts, sparsePenalty: 'kl', lambda: 0.1 }) as never,
    );
    expect(sparse.variant).toEqual({ type: 'sparse', penalty: 'kl', weight: 0.1, target: 0.05 });
    const vae = architecture(architectureJson('variational', net, { ...opts, beta: 4 }) as never);
    expect(vae.variant).toEqual({ type: 'variational', beta: 4 });
    const cae = architecture(architectureJson('contractive', net, opts) as never);
    expect(cae.variant).toEqual({ type: 'contractive', weight: 0.01 });
  });

  it('names the problems the engine would refuse', () => {
    const net: NetworkDesign = { type: 'dense', widths: [8, 3, 6], hidden: 'relu', output: 'linear', bias: true };
    expect(designProblems('basic', net, opts)).toEqual(['input and output widths must match']);
    expect(designProblems('basic', { ...net, widths: [8, 3, 8] }, { ...opts, loss: 'bce' })).toEqual([
      'binary cross-entropy needs a sigmoid output',
    ]);
    const deep: NetworkDesign = {
      type: 'dense',
      widths: [8, 6, 3, 6, 8],
      hidden: 'relu',
      output: 'linear',
      bias: true,
    };
    expect(designProblems('contractive', deep, opts)).toHaveLength(1);
    const res: NetworkDesign = {
      type: 'residual',
      channels: 3,
      features: 16,
      depth: 7,
      kernel: 3,
      noiseLevelInput: true,
      bias: true,
      skips: true,
    };
    expect(designProblems('basic', res, opts)).toEqual([
      'residual blocks need an even number of layers (head, pairs, tail)',
    ]);
    expect(() => architecture(architectureJson('basic', res, opts) as never)).toThrow(/even depth/);
  });

  it('lets a plain half-resolution denoiser predict the image, every other one the noise', () => {
    const res = (scale: 1 | 2, skips: boolean): NetworkDesign => ({
      type: 'residual',
      channels: 3,
      features: 16,
      depth: 6,
      kernel: 3,
      noiseLevelInput: true,
      bias: true,
      scale,
      skips,
    });
    const predicts = (scale: 1 | 2, skips: boolean) => {
      const net = architecture(architectureJson('basic', res(scale, skips), opts) as never).network;
      return net.type === 'residual' ? `${net.predicts}${net.skips ? '+skips' : ''}` : null;
    };
    expect([predicts(1, false), predicts(2, false), predicts(1, true), predicts(2, true)]).toEqual([
      'noise',
      'image',
      'noise+skips',
      'noise+skips',
    ]);
  });
});
