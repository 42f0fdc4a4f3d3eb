// Finite-difference check (float64, reference interpreter) of EVERY gradient rule: the table below
// must hold at least one case per op of the IR, or the first test fails.

import { describe, expect, it } from 'vitest';
import { Rng } from '../../../common/rng.js';
import { OPS, Tensor, type Op, type Shape, type Value, type Graph } from '../../../main/engine/ir/index.js';
import { type GradCheckCase, checkGradients, randomTensor, weightedSum } from './grad-check.js';

const rng = new Rng(20240611);

/** One unary/elementwise case: y = f(x …) on inputs named a, b, c with the given shapes and ranges. */
function elementwise(
  shapes: Shape[],
  f: (g: Graph, ins: Value[]) => Value,
  range: [number, number] = [-1, 1],
  kinks: number[] = [],
  extra: Partial<GradCheckCase> = {},
): GradCheckCase {
  const names = ['a', 'b', 'c'];
  const feeds: Record<string, Tensor> = {};
  shapes.forEach((s, i) => (feeds[names[i]!] = randomTensor(rng, s, range[0], range[1], kinks)));
  return {
    build: (g) => {
      const ins = shapes.map((s, i) => g.input(names[i]!, s));
      return { loss: weightedSum(g, f(g, ins)), wrt: ins };
    },
    feeds,
    ...extra,
  };
}

const unary = (
  f: (g: Graph, x: Value) => Value,
  range: [number, number] = [-1, 1],
  kinks: number[] = [],
): GradCheckCase[] => [elementwise([[2, 3, 4]], (g, [x]) => f(g, x!), range, kinks)];

function conv(
  xShape: Shape,
  wShape: Shape,
  bias: number | null,
  op: 'conv' | 'convTranspose',
  o: Parameters<Graph['convTranspose']>[3],
): GradCheckCase {
  const feeds: Record<string, Tensor> = { x: randomTensor(rng, xShape), w: randomTensor(rng, wShape) };
  if (bias !== null) feeds.b = randomTensor(rng, [bias]);
  return {
    build: (g) => {
      const x = g.input('x', xShape);
      const w = g.parameter('w', wShape);
      const b = bias !== null ? g.parameter('b', [bias]) : null;
      const y = op === 'conv' ? g.conv(x, w, b, o) : g.convTranspose(x, w, b, o);
      return { loss: weightedSum(g, y), wrt: b ? [x, w, b] : [x, w] };
    },
    feeds,
  };
}

const cases: Record<Op, GradCheckCase[]> = {
  Add: [
    elementwise(
      [
        [2, 3, 4],
        [3, 1],
      ],
      (g, [a, b]) => g.add(a!, b!),
    ),
  ],
  Sub: [
    elementwise(
      [
        [3, 1],
        [2, 3, 4],
      ],
      (g, [a, b]) => g.sub(a!, b!),
    ),
  ],
  Mul: [elementwise([[2, 3, 4], [4]], (g, [a, b]) => g.mul(a!, b!)), elementwise([[3]], (g, [a]) => g.mul(a!, a!))],
  Div: [
    elementwise(
      [
        [2, 3, 4],
        [3, 1],
      ],
      (g, [a, b]) => g.div(a!, b!),
      [0.5, 2],
    ),
  ],
  Pow: [elementwise([[2, 3], [3]], (g, [a, b]) => g.pow(a!, b!), [0.5, 2])],
  Max: [
    elementwise(
      [
        [2, 3, 4],
        [3, 4],
      ],
      (g, [a, b]) => g.max(a!, b!),
    ),
  ],
  Min: [
    elementwise(
      [
        [2, 3, 4],
        [3, 4],
      ],
      (g, [a, b]) => g.min(a!, b!),
    ),
  ],
  Greater: [elementwise([[2, 3], [3]], (g, [a, b]) => g.where(g.greater(a!, b!), a!, b!))],
  Less: [elementwise([[2, 3], [3]], (g, [a, b]) => g.where(g.less(a!, b!), g.mul(a!, a!), b!))],
  Equal: [elementwise([[2, 3]], (g, [a]) => g.where(g.equal(a!, g.scalar(0)), g.scalar(1), g.exp(a!)))],
  Where: [elementwise([[2, 3, 4], [3, 4], [4]], (g, [a, b, c]) => g.where(g.greater(a!, g.scalar(0.1)), b!, c!))],
  Neg: unary((g, x) => g.neg(x)),
  Abs: unary((g, x) => g.abs(x), [-1, 1], [0]),
  // Sign has no gradient: sign(x)·x has derivative sign(x) only through the second factor.
  Sign: unary((g, x) => g.mul(g.sign(x), x), [-1, 1], [0]),
  Exp: unary((g, x) => g.exp(x)),
  Log: unary((g, x) => g.log(x), [0.2, 2]),
  Sqrt: unary((g, x) => g.sqrt(x), [0.2, 2]),
  Reciprocal: unary((g, x) => g.reciprocal(x), [0.5, 2]),
  Relu: unary((g, x) => g.relu(x), [-1, 1], [0]),
  Sigmoid: unary((g, x) => g.sigmoid(x), [-4, 4]),
  Tanh: unary((g, x) => g.tanh(x), [-2, 2]),
  Softplus: unary((g, x) => g.softplus(x), [-4, 4]),
  Identity: unary((g, x) => g.identity(x)),
  LeakyRelu: unary((g, x) => g.leakyRelu(x, 0.1), [-1, 1], [0]),
  Clip: [
    ...unary((g, x) => g.clip(x, -0.5, 0.4), [-1, 1], [-0.5, 0.4]),
    ...unary((g, x) => g.clip(x, undefined, 0.3), [-1, 1], [0.3]),
  ],
  Cast: [
    elementwise(
      [[2, 3]],
      (g, [a]) => g.cast(g.mul(g.cast(a!, 'float32'), g.scalar(2, 'float32')), 'float64'),
      [-1, 1],
      [],
      {
        h: 1e-3,
        atol: 1e-5,
        rtol: 1e-5,
      },
    ),
  ],
  MatMul: [
    elementwise(
      [
        [2, 3, 4],
        [4, 5],
      ],
      (g, [a, b]) => g.matmul(a!, b!),
    ),
    elementwise(
      [
        [3, 4],
        [2, 4, 5],
      ],
      (g, [a, b]) => g.matmul(a!, b!),
    ),
  ],
  Gemm: [
    elementwise([[3, 4], [4, 5], [5]], (g, [a, b, c]) => g.gemm(a!, b!, c!, { alpha: 0.7, beta: 1.3 })),
    elementwise(
      [
        [4, 3],
        [4, 5],
        [3, 5],
      ],
      (g, [a, b, c]) => g.gemm(a!, b!, c!, { transA: true }),
    ),
    elementwise(
      [
        [3, 4],
        [5, 4],
      ],
      (g, [a, b]) => g.gemm(a!, b!, null, { transB: true, alpha: 2 }),
    ),
    elementwise(
      [
        [4, 3],
        [5, 4],
        [1, 5],
      ],
      (g, [a, b, c]) => g.gemm(a!, b!, c!, { transA: true, transB: true, beta: 0.5 }),
    ),
  ],
  // The first seven take the fast path of grad/conv.ts (2-D, stride 1, dilation 1, group 1,
  // pads ≤ k−1); the others the general formulations (grad-conv-paths.test.ts checks which is which).
  Conv: [
    conv([2, 3, 5, 6], [4, 3, 3, 3], 4, 'conv', { pads: [1, 1, 1, 1] }),
    conv([2, 3, 5, 7], [2, 3, 3, 2], 2, 'conv', { pads: [0, 1, 2, 0] }),
    conv([2, 4, 5, 6], [1, 4, 3, 3], 1, 'conv', { pads: [1, 0, 2, 1] }), // fewer outputs than inputs
    conv([2, 1, 5, 6], [9, 1, 3, 3], 9, 'conv', { pads: [1, 1, 1, 1] }), // 1 → 9: the 9 x windows in one MatMul
    conv([2, 9, 4, 5], [1, 9, 3, 3], 1, 'conv', { pads: [2, 1, 0, 1] }), // 9 → 1: the 9 dy shifts in one MatMul
    conv([1, 2, 4, 5], [3, 2, 2, 3], null, 'conv', {}),
    conv([2, 2, 4, 4], [3, 2, 1, 1], null, 'conv', {}),
    conv([1, 2, 4, 5], [2, 2, 3, 3], 2, 'conv', { pads: [3, 1, 0, 2] }), // pad 3 > k−1
    conv([1, 2, 3, 4], [2, 2, 1, 1], null, 'conv', { pads: [1, 0, 0, 1] }), // 1×1 kernel, pads > 0
    conv([1, 2, 7, 6], [3, 2, 3, 3], 3, 'conv', { strides: [2, 2], pads: [1, 1, 1, 1] }),
    conv([1, 4, 6, 5], [4, 2, 3, 3], null, 'conv', { pads: [1, 1, 1, 1], group: 2 }),
    conv([2, 4, 7, 6], [6, 2, 3, 2], null, 'conv', {
      strides: [2, 1],
      pads: [1, 0, 2, 1],
      dilations: [1, 2],
      group: 2,
    }),
    conv([1, 2, 9], [3, 2, 3], 3, 'conv', { strides: [2], pads: [1, 2] }),
    conv([1, 2, 9], [3, 2, 3], null, 'conv', { pads: [1, 1] }), // 1-D: general formulations
    conv([1, 2, 8, 7], [2, 2, 3, 3], null, 'conv', { strides: [3, 2], dilations: [2, 1] }),
  ],
  ConvTranspose: [
    // Stride 1, 2-D: its weight gradient takes the fast path (windows of dy times x).
    conv([2, 3, 4, 5], [3, 2, 3, 3], 2, 'convTranspose', { pads: [1, 0, 2, 1] }),
    conv([2, 4, 3, 3], [4, 3, 3, 3], 3, 'convTranspose', {
      strides: [2, 2],
      pads: [1, 1, 1, 1],
      outputPadding: [1, 1],
    }),
    conv([1, 4, 3, 4], [4, 1, 2, 3], null, 'convTranspose', {
      strides: [2, 1],
      pads: [0, 1, 1, 0],
      dilations: [2, 1],
      group: 2,
    }),
    conv([1, 1, 3], [1, 1, 2], null, 'convTranspose', {}),
    conv([2, 2, 4], [2, 3, 3], 3, 'convTranspose', { strides: [3], pads: [1, 0], outputPadding: [2] }),
  ],
  MaxPool: [
    elementwise([[2, 2, 5, 5]], (g, [x]) => g.maxPool(x!, [2, 2], [2, 2], [0, 0, 1, 1])),
    elementwise([[1, 2, 4, 5]], (g, [x]) => g.maxPool(x!, [3, 3], [1, 1], [1, 1, 1, 1])),
    elementwise([[1, 1, 7]], (g, [x]) => g.maxPool(x!, [3], [2])),
  ],
  AveragePool: [
    elementwise([[2, 2, 5, 5]], (g, [x]) => g.averagePool(x!, [3, 3], [2, 2], [1, 1, 1, 1])),
    elementwise([[1, 1, 6, 4]], (g, [x]) => g.averagePool(x!, [2, 2], [2, 2])),
  ],
  Reshape: [elementwise([[2, 3, 4]], (g, [x]) => g.reshape(x!, [4, -1]))],
  Flatten: [elementwise([[2, 3, 4]], (g, [x]) => g.flatten(x!, 2))],
  Transpose: [elementwise([[2, 3, 4]], (g, [x]) => g.transpose(x!, [1, 2, 0]))],
  Expand: [elementwise([[3, 1]], (g, [x]) => g.expand(x!, [2, 3, 4]))],
  Slice: [
    elementwise([[5, 6]], (g, [x]) => g.slice(x!, [1, 0], [4, 6], [0, 1], [1, 2])),
    elementwise([[7, 4]], (g, [x]) => g.slice(x!, [-1, 3], [0, -10], [0, 1], [-2, -1])),
    elementwise([[2, 9]], (g, [x]) => g.slice(x!, [1], [8], [-1], [3])),
  ],
  Pad: [
    elementwise([[2, 3, 4]], (g, [x]) => g.pad(x!, [0, 1, 2, 1, 0, 1])),
    elementwise([[2, 3, 4]], (g, [x]) => g.pad(x!, [0, -1, 2, 1, 1, -1], 'constant', 0.5)),
    elementwise([[1, 2, 4, 5]], (g, [x]) => g.pad(x!, [0, 0, 2, 3, 0, 0, 3, 1], 'reflect')),
    elementwise([[1, 2, 3, 4]], (g, [x]) => g.pad(x!, [0, 0, 2, 1, 0, 0, 3, 2], 'edge')),
  ],
  Concat: [
    elementwise(
      [
        [2, 3],
        [2, 1],
        [2, 4],
      ],
      (g, [a, b, c]) => g.concat([a!, b!, c!], 1),
    ),
  ],
  Resize: [elementwise([[1, 2, 2, 3]], (g, [x]) => g.resize(x!, [1, 1, 2, 3]))],
  ReduceSum: [
    elementwise([[2, 3, 4]], (g, [x]) => g.reduceSum(x!, [0, 2], false)),
    elementwise([[2, 3, 4]], (g, [x]) => g.reduceSum(x!, [-1], true)),
  ],
  ReduceMean: [
    elementwise([[2, 3, 4]], (g, [x]) => g.reduceMean(x!, [1], false)),
    elementwise([[2, 3, 4]], (g, [x]) => g.reduceMean(x!)),
  ],
  ReduceMax: [
    elementwise([[2, 3, 4]], (g, [x]) => g.reduceMax(x!, [1], false)),
    elementwise([[2, 3, 4]], (g, [x]) => g.reduceMax(x!, [0, 2], true)),
  ],
  Softmax: [
    elementwise([[2, 3, 4]], (g, [x]) => g.softmax(x!, 1)),
    elementwise([[3, 5]], (g, [x]) => g.softmax(x!, -1)),
  ],
  LogSoftmax: [
    elementwise([[2, 3, 4]], (g, [x]) => g.logSoftmax(x!, 1)),
    elementwise([[3, 5]], (g, [x]) => g.logSoftmax(x!)),
  ],
  // Rounding has no gradient: round(x)·x has derivative round(x) only through the second factor
  // (scale 1, so the steps sit at ±0.5).
  QuantizeLinear: unary((g, x) => g.mul(roundTrip(g, x), x), [-1, 1], [-0.5, 0.5]),
  DequantizeLinear: unary((g, x) => g.mul(roundTrip(g, x), x), [-1, 1], [-0.5, 0.5]),
};

/** round(x) in the graph's float64, through int8 and back with scale 1 (Q/DQ are float32 ops). */
function roundTrip(g: Graph, x: Value): Value {
  const scale = g.constant(Tensor.scalar(1, 'float32'), 'scale');
  const zero = g.constant(Tensor.scalar(0, 'int8'), 'zero');
  const q = g.node('QuantizeLinear', [g.cast(x, 'float32'), scale, zero]);
  return g.cast(g.node('DequantizeLinear', [q, scale, zero]), 'float64');
}

describe('finite-difference check of every gradient rule (float64, reference interpreter)', () => {
  it('has at least one case for every op of the IR', () => {
    expect(OPS.filter((op) => !(cases[op]?.length > 0))).toEqual([]);
  });

  for (const op of OPS) {
    it(op, () => {
      for (const c of cases[op]) checkGradients(c);
    });
  }

  it('sums fan-out and stops at values the loss does not depend on', () => {
    const feeds = { a: randomTensor(rng, [3]), b: randomTensor(rng, [3]) };
    checkGradients({
      build: (g) => {
        const a = g.input('a', [3]);
        const b = g.input('b', [3]);
        const t = g.tanh(a);
        g.exp(b); // dead branch
        return { loss: weightedSum(g, g.add(g.mul(t, t), g.mul(t, a))), wrt: [a, b] };
      },
      feeds,
    });
  });
});
