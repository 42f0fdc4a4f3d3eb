// Conv and ConvTranspose gradients, on both sides of the stride-1 fast path of grad/conv.ts, give
// the same numbers on ORT-node and ORT-web as on the reference interpreter (float32). The values
// themselves are checked against finite differences and PyTorch elsewhere (grad-fd,
// fixtures-conv); this checks that ONNX Runtime runs the emitted subgraphs (Slice with step −1
// on the weights, flat windows, asymmetric pads) the way the reference interpreter does.

import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../common/rng.js';
import { createExecutor, type CompiledGraph, type ExecutorName } from '../../../main/engine/exec/index.js';
import { backward } from '../../../main/engine/grad/index.js';
import { Graph, Tensor, type ConvOptions, type Shape } from '../../../main/engine/ir/index.js';

const cases: [string, 'conv' | 'convTranspose', Shape, Shape, ConvOptions & { outputPadding?: number[] }][] = [
  ['Conv 3×3 pads 1 (fast path)', 'conv', [2, 3, 6, 7], [4, 3, 3, 3], { pads: [1, 1, 1, 1] }],
  ['Conv 3×2 asymmetric pads (fast path)', 'conv', [2, 3, 5, 7], [2, 3, 3, 2], { pads: [0, 1, 2, 0] }],
  ['Conv pads beyond k−1 (general)', 'conv', [1, 2, 4, 5], [2, 2, 3, 3], { pads: [3, 1, 0, 2] }],
  ['Conv stride 2 (general)', 'conv', [2, 2, 7, 6], [3, 2, 3, 3], { strides: [2, 2], pads: [1, 1, 1, 1] }],
  ['ConvTranspose stride 1 (fast ∂W)', 'convTranspose', [2, 3, 4, 5], [3, 2, 3, 3], { pads: [1, 0, 2, 1] }],
];

function build(op: 'conv' | 'convTranspose', xShape: Shape, wShape: Shape, o: ConvOptions) {
  const g = new Graph('float32');
  const x = g.input('x', xShape);
  const w = g.parameter('w', wShape);
  const bias = op === 'conv' ? wShape[0]! : wShape[1]!;
  const b = g.parameter('b', [bias]);
  const y = op === 'conv' ? g.conv(x, w, b, o) : g.convTranspose(x, w, b, o);
  const rng = new Rng(17);
  const weights = Tensor.fromArray(
    'float32',
    y.shape,
    Array.from({ length: y.shape.reduce((a, d) => a * d, 1) }, () => rng.normal()),
  );
  const loss = g.reduceSum(g.mul(y, g.constant(weights, 'r')), undefined, false);
  const grads = backward(g, loss, [x, w, b]);
  for (const v of [x, w, b]) g.output(grads.get(v.name)!, `d_${v.name}`);
  const random = (shape: Shape) =>
    Tensor.fromArray(
      'float32',
      shape,
      Array.from({ length: shape.reduce((a, d) => a * d, 1) }, () => rng.normal()),
    );
  return { g, feeds: { x: random(xShape), w: random(wShape), b: random([bias]) } };
}

describe('conv gradients on three executors', () => {
  const compiled: CompiledGraph[] = [];
  afterAll(async () => Promise.all(compiled.map((c) => c.dispose())));

  it.each(cases)('%s', async (_name, op, xShape, wShape, o) => {
    const { g, feeds } = build(op, xShape, wShape, o);
    const results: Partial<Record<ExecutorName, Record<string, Tensor>>> = {};
    for (const name of ['reference', 'ort-node', 'ort-web'] as const) {
      const c = await (await createExecutor(name, { threads: 1 })).compile(g);
      compiled.push(c);
      results[name] = await c.run(feeds);
    }
    for (const executor of ['ort-node', 'ort-web'] as const) {
      for (const out of ['d_x', 'd_w', 'd_b']) {
        const want = results.reference![out]!;
        const got = results[executor]![out]!;
        expect(got.shape, `${executor} ${out}`).toEqual(want.shape);
        let worst = 0;
        for (let i = 0; i < want.size; i++) {
          const e = Number(want.data[i]);
          worst = Math.max(worst, Math.abs(Number(got.data[i]) - e) / (1e-5 + 1e-4 * Math.abs(e)));
        }
        expect(worst, `${executor} ${out}`).toBeLessThanOrEqual(1);
      }
    }
  });
});
