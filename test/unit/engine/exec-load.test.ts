// The ORT executors load an ONNX model as it is (the tile runner's path): inputs and outputs as the
// file declares them, symbolic sizes kept, so one session runs every size; both runtimes agree.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../common/rng.js';
import { OrtError, createExecutor } from '../../../main/engine/exec/index.js';
import { Tensor } from '../../../main/engine/ir/index.js';

const model = readFileSync(path.resolve('test/fixtures/imaging/models/blur5_rgb_sigma.onnx'));

describe('loading an ONNX model as it is', () => {
  it('keeps symbolic sizes, runs any size, and ORT-node and ORT-web agree', async () => {
    const [node, web] = await Promise.all([createExecutor('ort-node'), createExecutor('ort-web')]);
    const [a, b] = await Promise.all([node.load(model, 'blur'), web.load(model, 'blur')]);
    for (const m of [a, b]) {
      expect(m.inputs.map((v) => [v.name, v.type, v.shape.length, v.shape[1]])).toEqual([
        ['image', 'float32', 4, 3],
        ['noise_level', 'float32', 4, 1],
      ]);
      expect(m.inputs[0]!.shape.slice(2).every((d) => typeof d === 'string')).toBe(true);
      expect(m.outputs.map((v) => [v.name, v.type])).toEqual([['denoised', 'float32']]);
    }
    const rng = new Rng(7);
    for (const [h, w] of [
      [9, 13],
      [16, 5],
    ] as const) {
      const pixels = Float32Array.from({ length: 3 * h * w }, () => rng.uniform());
      const image = new Tensor('float32', [1, 3, h, w], pixels);
      const feeds = { image, noise_level: new Tensor('float32', [1, 1, h, w], new Float32Array(h * w).fill(0.25)) };
      const [ya, yb] = [(await a.run(feeds)).denoised!, (await b.run(feeds)).denoised!];
      expect(ya.shape).toEqual([1, 3, h, w]);
      let worst = 0;
      for (let i = 0; i < ya.data.length; i++)
        worst = Math.max(worst, Math.abs(Number(ya.data[i]) - Number(yb.data[i])));
      expect(worst).toBeLessThan(1e-5);
      // Interior pixel of channel 0: the normalised 5×5 blur of the input, plus the noise level.
      const g = [-2, -1, 0, 1, 2].map((k) => Math.exp(-0.5 * k * k));
      const s = g.reduce((p, q) => p + q, 0);
      let blur = 0;
      for (let dy = -2; dy <= 2; dy++)
        for (let dx = -2; dx <= 2; dx++) blur += (g[dy + 2]! * g[dx + 2]! * pixels[(4 + dy) * w + 2 + dx]!) / (s * s);
      expect(Number(ya.data[4 * w + 2])).toBeCloseTo(blur + 0.25, 5);
    }
    await Promise.all([a.dispose(), b.dispose()]);
  });

  it('reports what ONNX Runtime refused in its own first line', async () => {
    const node = await createExecutor('ort-node');
    const refused = await node.load(new TextEncoder().encode('not a model'), 'junk').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OrtError);
    expect((refused as OrtError).message).toMatch(/^junk: ONNX Runtime refused the model: /);
    expect((refused as OrtError).reason).toMatch(/protobuf parsing failed/i);
    const m = await node.load(model, 'blur');
    const bad = await m.run({ image: new Tensor('float32', [1, 2, 4, 4]) }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(OrtError);
    expect((bad as OrtError).message).toMatch(/^blur: run failed: /);
    await m.dispose();
  });
});
