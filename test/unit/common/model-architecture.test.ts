import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../common/rng.js';
import { evaluate } from '../../../main/engine/exec/reference/index.js';
import { Tensor } from '../../../main/engine/ir/index.js';
import {
  buildDecoder,
  buildEncoder,
  buildForward,
  buildInference,
  buildTrainingModel,
  initParams,
  latentShape,
  summarize,
} from '../../../main/engine/nn/index.js';
import {
  ARCH_FORMAT,
  ArchitectureError,
  PRESET_NAMES,
  architecture,
  architectureToJson,
  parameterCount,
  paramSpecs,
  parseArchitectureJson,
  preset,
} from '../../../common/model/index.js';
import { parseDenseSpec, resolveArchSpec } from '../../../main/ml/architecture-file.js';
import { tempDir } from '../../helpers/temp-dir.js';

/** Independent counts: weights + biases, written out per layer. */
const conv = (cin: number, cout: number, k = 3) => cin * cout * k * k + cout;
const dense = (i: number, o: number) => i * o + o;

describe('parameter counts', () => {
  it('matches the seeds: dense 8-3-8 → 59, stacked 10-8-4-8-10 → 254', () => {
    expect(parameterCount(parseDenseSpec('dense:8-3-8'))).toBe(59);
    expect(parameterCount(parseDenseSpec('dense:10-8-4-8-10'))).toBe(254);
  });

  it('ref-dae has 46,849 parameters', () => {
    const a = preset('ref-dae')!;
    expect(parameterCount(a)).toBe(46_849);
    expect(parameterCount(a)).toBe(conv(1, 32) + 5 * conv(32, 32) + conv(32, 1));
  });

  it('every preset equals its layer-by-layer count', () => {
    const expected: Record<string, number> = {
      'ref-dae': 46_849,
      'dncnn-gray': conv(1, 64) + 15 * conv(64, 64) + conv(64, 1),
      'dncnn-color': conv(3, 64) + 15 * conv(64, 64) + conv(64, 3),
      'dncnn-color-nl': conv(4, 64) + 15 * conv(64, 64) + conv(64, 3),
      'small-color-nl': conv(4, 32) + 5 * conv(32, 32) + conv(32, 3),
      // FFDNet-style: 4×4 stride-2 conv in (RGB + map), 12 body layers, 4×4 stride-2 transposed conv out.
      'ffdnet-color': conv(4, 64, 4) + 12 * conv(64, 64) + conv(64, 3, 4),
      'ffdnet-gray': conv(2, 64, 4) + 12 * conv(64, 64) + conv(64, 1, 4),
      'ffdnet-camera': conv(4, 64, 4) + 12 * conv(64, 64) + conv(64, 3, 4),
      // CBDNet's estimator: RGB → 32, three 32 → 32, 32 → the one-channel map.
      'camera-estimator': conv(3, 32) + 3 * conv(32, 32) + conv(32, 1),
      'conv-ae-b2': conv(1, 16) + conv(16, 32) + conv(32, 2) + conv(2, 32, 4) + conv(32, 16, 4) + conv(16, 1),
      'conv-ae-b4': conv(1, 16) + conv(16, 32) + conv(32, 4) + conv(4, 32, 4) + conv(32, 16, 4) + conv(16, 1),
      'conv-ae-b8': conv(1, 16) + conv(16, 32) + conv(32, 8) + conv(8, 32, 4) + conv(32, 16, 4) + conv(16, 1),
      'conv-vae-b4': conv(1, 16) + conv(16, 32) + 2 * conv(32, 4) + conv(4, 32, 4) + conv(32, 16, 4) + conv(16, 1),
      'digits-ae': dense(64, 32) + dense(32, 2) + dense(2, 32) + dense(32, 64),
      'digits-dae': dense(64, 32) + dense(32, 2) + dense(2, 32) + dense(32, 64),
      'digits-vae': dense(64, 32) + 2 * dense(32, 2) + dense(2, 32) + dense(32, 64),
      'digits-sparse': dense(64, 100) + dense(100, 64),
      'digits-contractive': dense(64, 16) + dense(16, 64),
    };
    expect([...PRESET_NAMES].sort()).toEqual(Object.keys(expected).sort());
    for (const name of PRESET_NAMES) expect(parameterCount(preset(name)!), name).toBe(expected[name]);
    expect(parameterCount(preset('dncnn-gray')!)).toBe(555_137);
  });

  it('counts without biases', () => {
    expect(parameterCount(architecture({ network: { type: 'dense', widths: [8, 3, 8], bias: false } }))).toBe(48);
  });
});

describe('--arch spec parser', () => {
  it('reads widths and activations, with defaults', () => {
    const a = parseDenseSpec('dense:64-32-2-32-64:tanh,sigmoid');
    expect(a.network).toMatchObject({
      type: 'dense',
      widths: [64, 32, 2, 32, 64],
      hidden: 'tanh',
      output: 'sigmoid',
      bias: true,
    });
    expect(parseDenseSpec('dense:8-3-8').network).toMatchObject({ hidden: 'relu', output: 'linear' });
    expect(parseDenseSpec('dense:8-3-8:sigmoid').network).toMatchObject({ hidden: 'sigmoid', output: 'linear' });
  });

  it.each([
    ['dense:8-3', /at least 3 widths/],
    ['dense:8-x-8', /width 'x' is not a positive integer/],
    ['dense:8-0-8', /width '0' is not a positive integer/],
    ['dense:8--8', /width '' is not a positive integer/],
    ['dense:8-3-9', /input width 8 and output width 9 must match/],
    ['dense:8-3-8:swish', /unknown activation 'swish'/],
    ['dense:8-3-8:relu,', /activations must be/],
    ['dense:8-3-8:relu:x', /expected dense:W0/],
  ])('rejects %s', (spec, message) => {
    expect(() => parseDenseSpec(spec)).toThrow(ArchitectureError);
    expect(() => parseDenseSpec(spec)).toThrow(message);
  });

  it('resolves presets, dense specs and JSON files; unknown names list the presets', async () => {
    expect((await resolveArchSpec('ref-dae')).name).toBe('ref-dae');
    expect(parameterCount(await resolveArchSpec('dense:8-3-8'))).toBe(59);
    await expect(resolveArchSpec('no-such-model')).rejects.toThrow(/unknown architecture 'no-such-model'.*ref-dae/);
    await expect(resolveArchSpec('  ')).rejects.toThrow(/empty/);

    const dir = tempDir('dl-arch-');
    const good = path.join(dir, 'good.json');
    writeFileSync(good, architectureToJson(preset('conv-ae-b4')!));
    expect(parameterCount(await resolveArchSpec(good))).toBe(16_389);
    const write = (name: string, text: string) => {
      writeFileSync(path.join(dir, name), text);
      return path.join(dir, name);
    };
    await expect(resolveArchSpec(write('empty.json', ''))).rejects.toThrow(/empty file/);
    await expect(resolveArchSpec(write('bad.json', '{"format":'))).rejects.toThrow(/not valid JSON/);
    await expect(resolveArchSpec(write('other.json', '{"hello":1}'))).rejects.toThrow(/not a Denoise Lab architecture/);
    await expect(
      resolveArchSpec(write('future.json', JSON.stringify({ format: ARCH_FORMAT, version: 9 }))),
    ).rejects.toThrow(/version 9 is newer/);
    await expect(resolveArchSpec(dir)).rejects.toThrow(/not a file/);
  });
});

describe('architecture validation', () => {
  const base = { format: ARCH_FORMAT, version: 1 };
  it('reports every problem with its path', () => {
    const text = JSON.stringify({
      ...base,
      network: { type: 'dense', widths: [8, -3, 6], hidden: 'nope' },
      loss: 'bce',
    });
    let msg = '';
    try {
      parseArchitectureJson(text, 'a.json');
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/^a\.json: invalid architecture/);
    expect(msg).toContain('network.widths.1');
    expect(msg).toContain('network.hidden');
  });

  it.each([
    [{ network: { type: 'dense', widths: [8, 3, 8] }, loss: 'bce' }, /binary cross-entropy needs a sigmoid output/],
    [
      {
        network: { type: 'residual', channels: 1, features: 8, depth: 3, kernel: 3 },
        variant: { type: 'variational' },
      },
      /cannot be variational/,
    ],
    [{ network: { type: 'residual', channels: 1, features: 8, depth: 3, kernel: 2 } }, /kernel must be odd/],
    [
      {
        network: { type: 'conv-ae', channels: 1, stages: [8], bottleneck: 2 },
        variant: { type: 'contractive', weight: 1 },
      },
      /needs a dense network/,
    ],
    [
      { network: { type: 'dense', widths: [8, 6, 3, 6, 8] }, variant: { type: 'contractive', weight: 1 } },
      /one-layer encoder/,
    ],
    [
      {
        network: { type: 'dense', widths: [8, 3, 8] },
        variant: { type: 'sparse', penalty: 'kl', weight: 1, target: 0.1 },
      },
      /sigmoid hidden activation/,
    ],
    [
      {
        network: { type: 'dense', widths: [8, 3, 8], hidden: 'sigmoid' },
        variant: { type: 'sparse', penalty: 'kl', weight: 1 },
      },
      /target mean activation/,
    ],
    [{ network: { type: 'dense', widths: [8, 3, 8], extra: 1 } }, /extra/],
    [
      { network: { type: 'residual', channels: 1, features: 8, depth: 5, kernel: 3, skips: true } },
      /even depth \(head \+ pairs of convs \+ tail\), got 5/,
    ],
    [
      { network: { type: 'residual', channels: 1, features: 8, depth: 4, kernel: 3 }, loss: 'noise-weighted-mse' },
      /noise-weighted MSE needs a denoiser with a noise-level input/,
    ],
    [
      { network: { type: 'residual', channels: 1, features: 8, depth: 4, kernel: 3 }, noiseWeightFloor: 10 },
      /only the noise-weighted MSE has a floor/,
    ],
    [{ network: { type: 'dense', widths: [8, 3, 8], latentLayer: 2 } }, /interior layer/],
  ])('rejects %j', (doc, message) => {
    expect(() => parseArchitectureJson(JSON.stringify({ ...base, ...doc }))).toThrow(message);
  });

  it('round-trips through JSON with defaults filled in', () => {
    const a = preset('digits-vae')!;
    expect(parseArchitectureJson(architectureToJson(a))).toEqual(a);
    expect(a.loss).toBe('mse');
    expect(a.noise).toBeNull();
  });
});

describe('model summary', () => {
  it('flags overcomplete codes (hidden ≥ input) and the compression ratio', () => {
    expect(summarize(parseDenseSpec('dense:50-80-50')).overcomplete).toBe(true);
    expect(summarize(parseDenseSpec('dense:50-50-50')).overcomplete).toBe(true);
    expect(summarize(parseDenseSpec('dense:50-40-50')).overcomplete).toBe(false);
    expect(summarize(parseDenseSpec('dense:10-4-10'))).toMatchObject({
      inputSize: 10,
      latentSize: 4,
      compressionRatio: 2.5,
    });
    expect(summarize(preset('conv-ae-b2')!, [1, 32, 32])).toMatchObject({ latentSize: 2 * 8 * 8, compressionRatio: 8 });
    expect(summarize(preset('conv-ae-b8')!).compressionRatio).toBe(2);
    expect(summarize(preset('ref-dae')!)).toMatchObject({ latentSize: null, overcomplete: null, denoising: true });
  });

  it('picks the narrowest interior layer as the latent', () => {
    expect(latentShape(parseDenseSpec('dense:10-8-4-8-10'))).toEqual([4]);
    expect(latentShape(parseDenseSpec('dense:10-3-6-3-10'))).toEqual([3]);
  });
});

describe('graph builders', () => {
  it('dense: forward shapes, probes, no eps', () => {
    const f = buildForward(parseDenseSpec('dense:10-8-4-8-10'), { batch: 3, mode: 'train' });
    expect(f.x).toMatchObject({ name: 'x', shape: [3, 10] });
    expect(f.output.shape).toEqual([3, 10]);
    expect(f.z!.shape).toEqual([3, 4]);
    expect(f.eps).toBeUndefined();
    expect([...f.features.keys()]).toEqual(['enc0', 'enc1', 'dec0', 'dec1']);
    expect(f.graph.parameters.map((p) => `${p.name}:${p.shape.join('x')}`)).toEqual([
      'enc0.W:10x8',
      'enc0.b:8',
      'enc1.W:8x4',
      'enc1.b:4',
      'dec0.W:4x8',
      'dec0.b:8',
      'dec1.W:8x10',
      'dec1.b:10',
    ]);
  });

  it('VAE: eps input shaped like the latent while training, decodes the mean at inference', () => {
    const a = preset('digits-vae')!;
    const t = buildForward(a, { batch: 5, mode: 'train' });
    expect(t.eps).toMatchObject({ name: 'eps', shape: [5, 2] });
    expect(t.mu!.shape).toEqual([5, 2]);
    expect(t.logvar!.shape).toEqual([5, 2]);
    const inf = buildInference(a, { batch: 5 });
    expect(inf.graph.inputs.map((v) => v.name)).toEqual(['input']);
    expect(inf.graph.outputs.map((v) => `${v.name}:${v.shape.join('x')}`)).toEqual(['output:5x64']);
    const cv = buildForward(preset('conv-vae-b4')!, { batch: 2, sampleShape: [1, 16, 24], mode: 'train' });
    expect(cv.eps!.shape).toEqual([2, 4, 4, 6]);
    expect(cv.output.shape).toEqual([2, 1, 16, 24]);
  });

  it('conv autoencoder: stride-2 stages down, transposed convs up', () => {
    const f = buildForward(preset('conv-ae-b4')!, { batch: 2, sampleShape: [1, 32, 40], mode: 'train' });
    expect(f.features.get('enc0')!.shape).toEqual([2, 16, 16, 20]);
    expect(f.features.get('enc1')!.shape).toEqual([2, 32, 8, 10]);
    expect(f.z!.shape).toEqual([2, 4, 8, 10]);
    expect(f.features.get('dec0')!.shape).toEqual([2, 32, 16, 20]);
    expect(f.output.shape).toEqual([2, 1, 32, 40]);
    expect(() => buildForward(preset('conv-ae-b4')!, { batch: 2, sampleShape: [1, 30, 40], mode: 'train' })).toThrow(
      /multiples of 4/,
    );
    expect(() => buildForward(preset('conv-ae-b4')!, { batch: 2, sampleShape: [3, 32, 32], mode: 'train' })).toThrow(
      /1×H×W/,
    );
  });

  it('residual denoiser: output = input − body, optional noise-level map input', () => {
    const f = buildForward(preset('small-color-nl')!, { batch: 2, sampleShape: [3, 20, 20], mode: 'train' });
    expect(f.graph.inputs.map((v) => `${v.name}:${v.shape.join('x')}`)).toEqual([
      'x:2x3x20x20',
      'noise_level:2x1x20x20',
    ]);
    expect(f.output.shape).toEqual([2, 3, 20, 20]);
    const last = f.graph.nodes[f.graph.nodes.length - 1]!;
    expect(last.op).toBe('Sub');
    expect(last.inputs[0]).toBe('x');
    const inf = buildInference(preset('ref-dae')!, { batch: 1, sampleShape: [1, 8, 8], features: true });
    expect(inf.graph.outputs.map((v) => v.name)).toEqual([
      'output',
      ...Array.from({ length: 7 }, (_, i) => `feature/conv${i}`),
    ]);
  });

  it('residual blocks: every second conv starts at zero, so the untrained network is linear', () => {
    const a = preset('ffdnet-color')!;
    const specs = paramSpecs(a);
    const zero = specs.filter((s) => s.init === 'zero').map((s) => s.name);
    expect(zero).toEqual([2, 4, 6, 8, 10, 12].flatMap((i) => [`conv${i}.weight`, `conv${i}.bias`]));
    // f(u) + f(v) = f(u + v) for inputs and noise maps alike; a plain ReLU stack is not linear.
    const additivity = (arch: typeof a): number => {
      const f = buildInference(arch, { batch: 1, sampleShape: [3, 6, 6], floatType: 'float64' });
      const params = initParams(paramSpecs(arch), new Rng(3), 'float64');
      const rng = new Rng(4);
      const rand = (shape: number[]) =>
        Tensor.fromArray(
          'float64',
          shape,
          Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => rng.uniform()),
        );
      const u = [rand([1, 3, 6, 6]), rand([1, 1, 6, 6])] as const;
      const v = [rand([1, 3, 6, 6]), rand([1, 1, 6, 6])] as const;
      const sum = (p: Tensor, q: Tensor) =>
        Tensor.fromArray(
          'float64',
          p.shape,
          p.toNumbers().map((x, i) => x + q.toNumbers()[i]!),
        );
      const run = (x: Tensor, m: Tensor) =>
        evaluate(f.graph, { ...Object.fromEntries(params), input: x, noise_level: m }, ['output']).output!.toNumbers();
      const fu = run(...u);
      const fv = run(...v);
      const fuv = run(sum(u[0], v[0]), sum(u[1], v[1]));
      return Math.max(...fuv.map((y, i) => Math.abs(y - fu[i]! - fv[i]!)));
    };
    expect(additivity(a)).toBeLessThan(1e-12);
    // A block's feature map is the running sum it hands on, the head's and tail's their conv output.
    const fi = buildInference(a, { batch: 1, sampleShape: [3, 8, 8], features: true });
    const producer = (layer: string) =>
      fi.graph.nodes.find((n) => n.outputs.includes(fi.features.get(layer)!.name))!.op;
    expect(['conv0', 'conv1', 'conv2', 'conv12', 'conv13'].map(producer)).toEqual([
      'Conv',
      'Relu',
      'Add',
      'Add',
      'ConvTranspose',
    ]);
    const net = a.network;
    if (net.type !== 'residual') throw new Error('ffdnet-color is a residual denoiser');
    expect(additivity(architecture({ ...a, network: { ...net, skips: false, predicts: 'image' } }))).toBeGreaterThan(
      1e-3,
    );
  });

  it('noise-weighted MSE: each squared error times f²/(σ² + f²), f from the architecture (default 10)', () => {
    const rng = new Rng(11);
    const rand = (shape: number[], scale = 1) =>
      Tensor.fromArray(
        'float64',
        shape,
        Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => scale * rng.uniform()),
      );
    const network = { type: 'residual', channels: 2, features: 3, depth: 2, kernel: 1, noiseLevelInput: true } as const;
    for (const floor of [undefined, 20]) {
      const arch = architecture({
        network,
        loss: 'noise-weighted-mse',
        ...(floor !== undefined ? { noiseWeightFloor: floor } : {}),
      });
      const m = buildTrainingModel(arch, { batch: 2, sampleShape: [2, 3, 3], floatType: 'float64' });
      const feeds = {
        ...Object.fromEntries(initParams(paramSpecs(arch), new Rng(1), 'float64')),
        x: rand([2, 2, 3, 3]),
        y: rand([2, 2, 3, 3]),
        noise_level: rand([2, 1, 3, 3], 0.3),
      };
      const out = evaluate(m.forward.graph, feeds, [m.loss.name, m.forward.output.name]);
      const yhat = out[m.forward.output.name]!.toNumbers();
      const y = feeds.y.toNumbers();
      const level = feeds.noise_level.toNumbers();
      const f = (floor ?? 10) / 255;
      let sum = 0;
      yhat.forEach((v, i) => {
        const n = Math.floor(i / 18);
        const sigma = level[n * 9 + (i % 9)]!;
        sum += ((v - y[i]!) ** 2 * f * f) / (sigma * sigma + f * f);
      });
      expect(out[m.loss.name]!.toNumbers()[0]).toBeCloseTo(sum / yhat.length, 12);
    }
  });

  it('encoder and decoder graphs share the parameter names of the full model', () => {
    const a = preset('digits-vae')!;
    const enc = buildEncoder(a, { batch: 4 });
    const dec = buildDecoder(a, { batch: 9 });
    expect(enc.latent.shape).toEqual([4, 2]);
    expect(dec.output.shape).toEqual([9, 64]);
    const all = new Set(paramSpecs(a).map((p) => p.name));
    for (const p of [...enc.graph.parameters, ...dec.graph.parameters]) expect(all.has(p.name)).toBe(true);
    expect(enc.graph.parameters.map((p) => p.name)).toEqual(['enc0.W', 'enc0.b', 'enc_mu.W', 'enc_mu.b']);
    expect(() => buildEncoder(preset('ref-dae')!, { batch: 1 })).toThrow(/no latent code/);
  });
});

describe('initialisation', () => {
  it('is a function of the seed, within PyTorch default bounds U(±1/√fan_in)', () => {
    const specs = paramSpecs(preset('conv-ae-b4')!);
    const a = initParams(specs, new Rng(7));
    const b = initParams(specs, new Rng(7));
    const c = initParams(specs, new Rng(8));
    for (const s of specs) {
      expect(b.get(s.name)!.data).toEqual(a.get(s.name)!.data);
      const bound = 1 / Math.sqrt(s.fanIn);
      const data = Array.from(a.get(s.name)!.data as Float32Array);
      expect(Math.max(...data.map(Math.abs))).toBeLessThanOrEqual(bound);
    }
    expect(c.get('enc0.weight')!.data).not.toEqual(a.get('enc0.weight')!.data);
    // fan_in as PyTorch computes it: conv size(1)·k² (transposed: out channels·k²), dense in_features.
    expect(specs.find((s) => s.name === 'enc1.weight')!.fanIn).toBe(16 * 9);
    expect(specs.find((s) => s.name === 'dec0.weight')!.fanIn).toBe(32 * 16);
    expect(paramSpecs(parseDenseSpec('dense:8-3-8')).map((s) => s.fanIn)).toEqual([8, 8, 3, 3]);
    // A uniform on ±bound has variance bound²/3: check it on the 9,216-weight layer.
    const w = Array.from(a.get('dec1.weight')!.data as Float32Array);
    const bound = 1 / Math.sqrt(16 * 16);
    const mean = w.reduce((s, v) => s + v, 0) / w.length;
    const variance = w.reduce((s, v) => s + (v - mean) ** 2, 0) / w.length;
    expect(Math.abs(mean)).toBeLessThan(0.05 * bound);
    expect(variance / ((bound * bound) / 3)).toBeGreaterThan(0.95);
    expect(variance / ((bound * bound) / 3)).toBeLessThan(1.05);
  });
});
