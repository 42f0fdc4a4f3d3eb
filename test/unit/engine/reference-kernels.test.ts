// Hand-computed values for the reference interpreter's kernels (PyTorch fixtures cover the rest).

import { describe, expect, it } from 'vitest';
import { ReferenceExecutor, evaluate } from '../../../main/engine/exec/reference/index.js';
import { Graph, Tensor, type Value } from '../../../main/engine/ir/index.js';

function run1(
  build: (g: Graph) => Value,
  feeds: Record<string, Tensor>,
  dtype: 'float32' | 'float64' = 'float64',
): Tensor {
  const g = new Graph(dtype);
  const y = g.output(build(g));
  return evaluate(g, feeds, [y.name])[y.name]!;
}

const f64 = (shape: number[], values: number[]): Tensor => Tensor.fromArray('float64', shape, values);

describe('reference kernels', () => {
  it('broadcasts binary ops', () => {
    const y = run1((g) => g.sub(g.input('a', [2, 1]), g.input('b', [3])), {
      a: f64([2, 1], [10, 20]),
      b: f64([3], [1, 2, 3]),
    });
    expect(y.shape).toEqual([2, 3]);
    expect(y.toNumbers()).toEqual([9, 8, 7, 19, 18, 17]);
  });

  it('runs a 2-D convolution with padding and stride', () => {
    // 3×3 input 1…9, 2×2 kernel of ones, stride 2, pad 1: window sums of the zero-padded input.
    const y = run1(
      (g) =>
        g.conv(g.input('x', [1, 1, 3, 3]), g.input('w', [1, 1, 2, 2]), null, { strides: [2, 2], pads: [1, 1, 1, 1] }),
      {
        x: f64([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]),
        w: f64([1, 1, 2, 2], [1, 1, 1, 1]),
      },
    );
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect(y.toNumbers()).toEqual([1, 5, 11, 28]);
  });

  it('runs a grouped convolution with bias', () => {
    // Two groups of one channel each: channel 0 × 2, channel 1 × 3, plus biases.
    const y = run1((g) => g.conv(g.input('x', [1, 2, 2]), g.input('w', [2, 1, 1]), g.input('b', [2]), { group: 2 }), {
      x: f64([1, 2, 2], [1, 2, 3, 4]),
      w: f64([2, 1, 1], [2, 3]),
      b: f64([2], [0.5, -1]),
    });
    expect(y.toNumbers()).toEqual([2.5, 4.5, 8, 11]);
  });

  it('runs a strided transposed convolution with output padding', () => {
    // x = [1, 2], kernel [1, 10], stride 2, output_padding 1 → [1, 10, 2, 20, 0]
    const y = run1(
      (g) =>
        g.convTranspose(g.input('x', [1, 1, 2]), g.input('w', [1, 1, 2]), null, { strides: [2], outputPadding: [1] }),
      {
        x: f64([1, 1, 2], [1, 2]),
        w: f64([1, 1, 2], [1, 10]),
      },
    );
    expect(y.toNumbers()).toEqual([1, 10, 2, 20, 0]);
  });

  it('pads in constant, reflect and edge modes, and crops with negative pads', () => {
    const x = { x: f64([4], [1, 2, 3, 4]) };
    expect(run1((g) => g.pad(g.input('x', [4]), [2, 1], 'reflect'), x).toNumbers()).toEqual([3, 2, 1, 2, 3, 4, 3]);
    expect(run1((g) => g.pad(g.input('x', [4]), [2, 1], 'edge'), x).toNumbers()).toEqual([1, 1, 1, 2, 3, 4, 4]);
    expect(run1((g) => g.pad(g.input('x', [4]), [1, -2], 'constant', 9), x).toNumbers()).toEqual([9, 1, 2]);
  });

  it('slices with steps, negative indices and reversal', () => {
    const x = { x: f64([6], [0, 1, 2, 3, 4, 5]) };
    expect(run1((g) => g.slice(g.input('x', [6]), [1], [6], [0], [2]), x).toNumbers()).toEqual([1, 3, 5]);
    expect(run1((g) => g.slice(g.input('x', [6]), [-1], [-7], [0], [-2]), x).toNumbers()).toEqual([5, 3, 1]);
  });

  it('transposes, concatenates, expands and resizes (nearest)', () => {
    const x = { x: f64([2, 3], [1, 2, 3, 4, 5, 6]) };
    expect(run1((g) => g.transpose(g.input('x', [2, 3]), [1, 0]), x).toNumbers()).toEqual([1, 4, 2, 5, 3, 6]);
    expect(
      run1((g) => g.concat([g.input('x', [2, 3]), g.input('y', [2, 1])], 1), {
        ...x,
        y: f64([2, 1], [7, 8]),
      }).toNumbers(),
    ).toEqual([1, 2, 3, 7, 4, 5, 6, 8]);
    expect(run1((g) => g.expand(g.input('y', [2, 1]), [2, 2]), { y: f64([2, 1], [7, 8]) }).toNumbers()).toEqual([
      7, 7, 8, 8,
    ]);
    expect(
      run1((g) => g.resize(g.input('x', [1, 1, 2, 3]), [1, 1, 2, 2]), {
        x: f64([1, 1, 2, 3], [1, 2, 3, 4, 5, 6]),
      }).toNumbers(),
    ).toEqual([1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 4, 4, 5, 5, 6, 6]);
  });

  it('reduces, pools and normalises', () => {
    const x = { x: f64([2, 3], [1, 5, 3, 4, 2, 6]) };
    expect(run1((g) => g.reduceSum(g.input('x', [2, 3]), [1], false), x).toNumbers()).toEqual([9, 12]);
    expect(run1((g) => g.reduceMean(g.input('x', [2, 3]), [0]), x).toNumbers()).toEqual([2.5, 3.5, 4.5]);
    expect(run1((g) => g.reduceMax(g.input('x', [2, 3])), x).toNumbers()).toEqual([6]);
    const p = { p: f64([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]) };
    expect(run1((g) => g.maxPool(g.input('p', [1, 1, 3, 3]), [2, 2], [2, 2], [0, 0, 1, 1]), p).toNumbers()).toEqual([
      5, 6, 8, 9,
    ]);
    // count_include_pad = 0: the corner window holds only 9, the edge windows two elements
    expect(run1((g) => g.averagePool(g.input('p', [1, 1, 3, 3]), [2, 2], [2, 2], [0, 0, 1, 1]), p).toNumbers()).toEqual(
      [3, 4.5, 7.5, 9],
    );
    const s = run1((g) => g.softmax(g.input('x', [2, 3]), 1), x).toNumbers();
    const e = [Math.exp(1), Math.exp(5), Math.exp(3)];
    expect(s[1]).toBeCloseTo(e[1]! / (e[0]! + e[1]! + e[2]!), 15);
    const ls = run1((g) => g.logSoftmax(g.input('x', [2, 3]), 0), x).toNumbers();
    expect(ls[0]).toBeCloseTo(1 - Math.log(Math.exp(1) + Math.exp(4)), 15);
  });

  it('computes Gemm with transposes, alpha, beta and a broadcast C', () => {
    const y = run1(
      (g) =>
        g.gemm(g.input('a', [2, 2]), g.input('b', [2, 2]), g.input('c', [2]), { transA: true, alpha: 2, beta: 10 }),
      {
        a: f64([2, 2], [1, 2, 3, 4]),
        b: f64([2, 2], [1, 0, 0, 1]),
        c: f64([2], [1, 2]),
      },
    );
    // Aᵀ = [[1, 3], [2, 4]]; 2·Aᵀ + 10·c
    expect(y.toNumbers()).toEqual([12, 26, 14, 28]);
  });

  it('stores float32 results in a Float32Array and float64 in a Float64Array', async () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const g = new Graph(dtype);
      const y = g.output(g.mul(g.input('x', [2]), g.scalar(1 / 3)), 'y');
      const compiled = await new ReferenceExecutor().compile(g);
      const out = (await compiled.run({ x: new Tensor(dtype, [2], [1, 2]) })).y!;
      expect(out.dtype).toBe(dtype);
      expect(out.data).toBeInstanceOf(dtype === 'float32' ? Float32Array : Float64Array);
      void y;
    }
  });

  it('rejects missing feeds and feeds of the wrong type or shape', () => {
    const g = new Graph('float64');
    const y = g.output(g.relu(g.input('x', [2])));
    expect(() => evaluate(g, {}, [y.name])).toThrow(/no feed for input 'x'/);
    expect(() => evaluate(g, { x: new Tensor('float32', [2], [1, 2]) }, [y.name])).toThrow(
      /float32 \[2\].*float64 \[2\]/,
    );
    expect(() => evaluate(g, { x: new Tensor('float64', [3], [1, 2, 3]) }, [y.name])).toThrow(/expects float64 \[2\]/);
  });
});
