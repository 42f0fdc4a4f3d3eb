import { describe, expect, it } from 'vitest';
import { Rng } from '../../../common/rng.js';
import { createExecutor } from '../../../main/engine/exec/index.js';
import { Tensor } from '../../../main/engine/ir/tensor.js';
import { buildInference, initParams } from '../../../main/engine/nn/index.js';
import { architecture, paramSpecs, preset } from '../../../common/model/index.js';
import { decode, encode, featureMaps, latentTraversal, runOnce } from '../../../main/ml/analysis/latent.js';

const t64 = (shape: number[], v: number[]) => new Tensor('float64', shape, v);

describe('forward graphs reproduce the worked examples (float64, reference interpreter)', () => {
  it('seed 002: ReLU autoencoder 3-2-3 without biases → x̂ = [1.585, 1.0, 0.963]', async () => {
    const arch = architecture({
      network: { type: 'dense', widths: [3, 2, 3], hidden: 'relu', output: 'relu', bias: false },
    });
    const fg = buildInference(arch, { batch: 1, floatType: 'float64' });
    // Gemm layout [in, out] = the transpose of the seed's We (rows = hidden units).
    const params = new Map([
      ['enc0.W', t64([3, 2], [0.8, 0.4, 0.3, 0.7, 0.5, 0.2])],
      ['dec0.W', t64([2, 3], [0.9, 0.2, 0.5, 0.4, 0.7, 0.3])],
    ]);
    const exec = await createExecutor('reference');
    const out = await runOnce(exec, fg.graph, params, { input: t64([1, 3], [1.0, 0.8, 0.5]) });
    const y = Array.from(out.output!.data as Float64Array);
    [1.585, 1.0, 0.963].forEach((v, i) => expect(y[i]).toBeCloseTo(v, 12));
  });

  it('seed 001: sigmoid autoencoder → z = [0.7310585786, 0.5], x̂ = [0.6750375273, 0.6224593312]', async () => {
    const arch = architecture({
      network: { type: 'dense', widths: [2, 2, 2], hidden: 'sigmoid', output: 'sigmoid', bias: false },
    });
    const fg = buildInference(arch, { batch: 1, floatType: 'float64', features: true });
    const params = new Map([
      ['enc0.W', t64([2, 2], [1, 0, -1, 1])], // We = [[1, −1], [0, 1]] transposed
      ['dec0.W', t64([2, 2], [1, 0, 0, 1])],
    ]);
    const out = await runOnce(await createExecutor('reference'), fg.graph, params, { input: t64([1, 2], [1, 0]) });
    const z = Array.from(out['feature/enc0']!.data as Float64Array);
    const y = Array.from(out.output!.data as Float64Array);
    expect(z[0]).toBeCloseTo(0.7310585786, 9);
    expect(z[1]).toBeCloseTo(0.5, 12);
    expect(y[0]).toBeCloseTo(0.6750375273, 9);
    expect(y[1]).toBeCloseTo(0.6224593312, 9);
  });
});

describe('model graphs on ORT-node agree with the reference interpreter', () => {
  it('conv autoencoder, VAE decoder and residual denoiser with a noise-level map', async () => {
    const ref = await createExecutor('reference');
    const ort = await createExecutor('ort-node', { threads: 1 });
    const rng = new Rng(3);
    for (const name of ['conv-ae-b2', 'small-color-nl', 'digits-vae']) {
      const arch = preset(name)!;
      const params = initParams(paramSpecs(arch), rng);
      const sample = arch.network.type === 'dense' ? [64] : [arch.network.channels, 8, 12];
      const fg = buildInference(arch, { batch: 2, sampleShape: sample });
      const feeds: Record<string, Tensor> = {
        input: new Tensor(
          'float32',
          [2, ...sample],
          Float32Array.from({ length: 2 * sample.reduce((a, b) => a * b) }, () => rng.uniform()),
        ),
      };
      if (fg.noiseLevel)
        feeds.noise_level = new Tensor('float32', fg.noiseLevel.shape, new Float32Array(2 * 8 * 12).fill(25 / 255));
      const a = (await runOnce(ref, fg.graph, params, feeds)).output!.data as Float32Array;
      const b = (await runOnce(ort, fg.graph, params, feeds)).output!.data as Float32Array;
      expect(a.length).toBe(b.length);
      for (let i = 0; i < a.length; i++)
        expect(Math.abs(a[i]! - b[i]!), name).toBeLessThan(1e-5 * (1 + Math.abs(a[i]!)));
    }
  });
});

describe('latent-space functions', () => {
  it('decode(encode(x)) is the model output; traversal varies the chosen dimension; feature maps per layer', async () => {
    const exec = await createExecutor('reference');
    const arch = preset('digits-ae')!;
    const model = { arch, params: initParams(paramSpecs(arch), new Rng(11)) };
    const rng = new Rng(5);
    const x = Float32Array.from({ length: 3 * 64 }, () => rng.uniform());
    const { latent, shape } = await encode(model, exec, x, 3);
    expect(shape).toEqual([3, 2]);
    const { output } = await decode(model, exec, latent, 3);
    const full = await runOnce(exec, buildInference(arch, { batch: 3 }).graph, model.params, {
      input: new Tensor('float32', [3, 64], x),
    });
    expect(Array.from(output)).toEqual(Array.from(full.output!.data as Float32Array));

    const grid = await latentTraversal(model, exec, { dims: [0, 1], steps: 3, range: [-1, 1] });
    expect(grid).toMatchObject({ rows: 3, cols: 3, values: [-1, 0, 1], rowValues: [-1, 0, 1] });
    // A range per dimension: columns over the first, rows over the second.
    const own = await latentTraversal(model, exec, { dims: [0, 1], steps: 3, ranges: [[0, 2], [-4, 4]] });
    expect(own).toMatchObject({ values: [0, 1, 2], rowValues: [-4, 0, 4] });
    const corner = await decode(model, exec, new Float32Array([2, 4]), 1);
    expect(Array.from(own.images.subarray(8 * 64, 9 * 64))).toEqual(Array.from(corner.output));
    expect(grid.images.length).toBe(9 * 64);
    // Centre of the grid is the decoded origin.
    const origin = await decode(model, exec, new Float32Array(2), 1);
    expect(Array.from(grid.images.subarray(4 * 64, 5 * 64))).toEqual(Array.from(origin.output));

    const maps = await featureMaps(model, exec, new Tensor('float32', [3, 64], x));
    expect([...maps.keys()]).toEqual(['enc0', 'enc1', 'dec0', 'dec1']);
    expect(Array.from(maps.get('enc1')!.data as Float32Array)).toEqual(Array.from(latent));
    await expect(latentTraversal(model, exec, { dims: [2], steps: 3 })).rejects.toThrow(/not in 0…1/);
  });
});

describe('FFDNet-style residual denoiser (scale 2)', () => {
  it('keeps the image size, takes a noise-level map and refuses odd sizes', async () => {
    const { preset: presetOf } = await import('../../../common/model/presets.js');
    const { buildInference, sizeMultiple } = await import('../../../main/engine/nn/build.js');
    const arch = presetOf('ffdnet-gray')!;
    expect(sizeMultiple(arch)).toBe(2);
    const fg = buildInference(arch, { batch: 2, sampleShape: [1, 10, 14] });
    expect(fg.output.shape).toEqual([2, 1, 10, 14]);
    expect(fg.noiseLevel?.shape).toEqual([2, 1, 10, 14]);
    expect(() => buildInference(arch, { batch: 1, sampleShape: [1, 9, 14] })).toThrow(/multiples of 2/);
  });
});
