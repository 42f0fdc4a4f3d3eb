// Every worked example of ../shared/reference/worked-examples.md, built as graphs and run on the
// reference interpreter in float64 (relative tolerance 1e-6) and float32 (1e-5). The example data
// is copied here so the test needs nothing outside the repository.

import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../main/engine/exec/reference/index.js';
import { Graph, type FloatType, Tensor, type Value, sizeOf } from '../../../main/engine/ir/index.js';
import { bce, bceWithLogits, mse } from '../../../main/engine/losses/index.js';
import { buildTrainStep } from '../../../main/engine/optim/index.js';

const TOL: Record<FloatType, number> = { float64: 1e-6, float32: 1e-5 };

function expectClose(actual: Tensor | number[], expected: number[], dtype: FloatType): void {
  const got = Array.isArray(actual) ? actual : actual.toNumbers();
  expect(got.length).toBe(expected.length);
  got.forEach((v, i) => {
    const e = expected[i]!;
    if (Math.abs(v - e) > TOL[dtype] * Math.max(Math.abs(e), 1e-12)) {
      throw new Error(`element ${i}: got ${v}, expected ${e} (relative tolerance ${TOL[dtype]})`);
    }
  });
}

/** A constant in the graph's float type. */
const k = (g: Graph, shape: number[], values: number[]): Value =>
  g.constant(Tensor.fromArray(g.floatType, shape, values));

/** y = W·v for a column vector v [n, 1]. */
const dense = (g: Graph, w: number[][], v: Value): Value => g.matmul(k(g, [w.length, w[0]!.length], w.flat()), v);

describe.each(['float64', 'float32'] as const)('worked examples (%s)', (dtype) => {
  it('1. seed 000: 1-D convolutional autoencoder, reconstruction MSE 7.271484375', () => {
    const g = new Graph(dtype);
    const x = g.input('x', [1, 1, 4]);
    const kernel = k(g, [1, 1, 2], [0.5, -0.5]);
    const enc = g.conv(x, kernel, null); // [1, 1, 3]
    const z = dense(
      g,
      [
        [1, 0, -1],
        [0.5, 0.5, 0.5],
      ],
      g.reshape(enc, [3, 1]),
    );
    const dec = dense(
      g,
      [
        [1, 0],
        [0, 1],
        [-1, 0.5],
      ],
      z,
    );
    const xHat = g.convTranspose(g.reshape(dec, [1, 1, 3]), kernel, null);
    const loss = mse(g, xHat, x);
    const out = evaluate(g, { x: new Tensor(dtype, [1, 1, 4], [1, 2, 3, 4]) }, [
      enc.name,
      z.name,
      dec.name,
      xHat.name,
      loss.name,
    ]);
    expectClose(out[enc.name]!, [-0.5, -0.5, -0.5], dtype);
    expectClose(
      out[z.name]!.toNumbers().map((v) => v + 1),
      [1, 0.25],
      dtype,
    ); // z = [0, −0.75]
    expectClose(
      out[dec.name]!.toNumbers().map((v) => v + 1),
      [1, 0.25, 0.625],
      dtype,
    ); // [0, −0.75, −0.375]
    expectClose(
      out[xHat.name]!.toNumbers().map((v) => v + 1),
      [1, 0.625, 1.1875, 1.1875],
      dtype,
    ); // [0, −0.375, 0.1875, 0.1875]
    expectClose(out[loss.name]!, [7.271484375], dtype);
  });

  it('2. seed 001: parameter counts 59 (8-3-8) and 254 (10-8-4-8-10) with biases', () => {
    const count = (widths: number[]): number => {
      const g = new Graph(dtype);
      let h = g.input('x', [1, widths[0]!]);
      for (let i = 1; i < widths.length; i++) {
        const w = g.parameter(`l${i}.W`, [widths[i - 1]!, widths[i]!]);
        const b = g.parameter(`l${i}.b`, [widths[i]!]);
        h = g.add(g.matmul(h, w), b);
      }
      return g.parameters.reduce((n, p) => n + sizeOf(p.shape), 0);
    };
    expect(count([8, 3, 8])).toBe(59);
    expect(count([10, 8, 4, 8, 10])).toBe(254);
  });

  it('3. seed 001: sigmoid autoencoder, BCE 0.6835320; MSE example 1.0', () => {
    const g = new Graph(dtype);
    const x = g.input('x', [2, 1]);
    const preZ = dense(
      g,
      [
        [1, -1],
        [0, 1],
      ],
      x,
    );
    const z = g.sigmoid(preZ);
    const logits = dense(
      g,
      [
        [1, 0],
        [0, 1],
      ],
      z,
    );
    const xHat = g.sigmoid(logits);
    const lossProb = bce(g, xHat, x);
    const lossLogits = bceWithLogits(g, logits, x);
    const out = evaluate(g, { x: new Tensor(dtype, [2, 1], [1, 0]) }, [
      z.name,
      xHat.name,
      lossProb.name,
      lossLogits.name,
    ]);
    expectClose(out[z.name]!, [0.7310585786, 0.5], dtype);
    expectClose(out[xHat.name]!, [0.6750375273, 0.6224593312], dtype);
    expectClose(out[lossProb.name]!, [0.683532], dtype);
    expectClose(out[lossLogits.name]!, [0.683532], dtype);

    const g2 = new Graph(dtype);
    const l = mse(g2, k(g2, [3], [2, 4, 3]), k(g2, [3], [3, 5, 2]));
    expectClose(evaluate(g2, {}, [l.name])[l.name]!, [1.0], dtype);
  });

  it('4. seed 002: ReLU autoencoder from scratch, MSE 0.198864667', () => {
    const g = new Graph(dtype);
    const x = g.input('x', [3, 1]);
    const z = g.relu(
      dense(
        g,
        [
          [0.8, 0.3, 0.5],
          [0.4, 0.7, 0.2],
        ],
        x,
      ),
    );
    const xHat = g.relu(
      dense(
        g,
        [
          [0.9, 0.4],
          [0.2, 0.7],
          [0.5, 0.3],
        ],
        z,
      ),
    );
    const loss = mse(g, xHat, x);
    const out = evaluate(g, { x: new Tensor(dtype, [3, 1], [1.0, 0.8, 0.5]) }, [z.name, xHat.name, loss.name]);
    expectClose(out[z.name]!, [1.29, 1.06], dtype);
    expectClose(out[xHat.name]!, [1.585, 1.0, 0.963], dtype);
    expectClose(out[loss.name]!, [0.198864667], dtype);
  });

  it('5. seed 004: one SGD step of backpropagation through the training-step graph', () => {
    // h = x·W1 with W1 [in, hidden] = [[w1, w3], [w2, w4]]; out = h·W2 with W2 = [[w5], [w6]].
    const g = new Graph(dtype);
    const x = g.input('x', [1, 2]);
    const target = g.input('target', [1, 1]);
    const w1 = g.parameter('W1', [2, 2]);
    const w2 = g.parameter('W2', [2, 1]);
    const out = g.matmul(g.matmul(x, w1), w2);
    const error = g.mul(mse(g, out, target, 'sum'), g.scalar(0.5)); // ½(out − target)²
    const step = buildTrainStep({ graph: g, loss: error, probes: { out }, optimizer: { kind: 'sgd' } });
    const feeds = {
      x: new Tensor(dtype, [1, 2], [2, 3]),
      target: new Tensor(dtype, [1, 1], [1]),
      W1: new Tensor(dtype, [2, 2], [0.11, 0.12, 0.21, 0.08]),
      W2: new Tensor(dtype, [2, 1], [0.14, 0.15]),
      lr: new Tensor(dtype, [], [0.05]),
      t: new Tensor(dtype, [], [1]),
      ...step.initialSlots(),
    };
    const res = evaluate(g, feeds);
    expectClose(res['probe/out']!, [0.191], dtype);
    // The seed rounds to 6 decimals; the exact values are error 0.3272405, w4 0.0982025, w5 0.1743825.
    expectClose(res.loss!, [0.3272405], dtype);
    const [n1, n3, n2, n4] = res['param_next/W1']!.toNumbers();
    const [n5, n6] = res['param_next/W2']!.toNumbers();
    const weights = [n1!, n2!, n3!, n4!, n5!, n6!];
    expectClose(weights, [0.121326, 0.226989, 0.132135, 0.0982025, 0.1743825, 0.169416], dtype);
    // …and agree with the document's 6-decimal figures to half a unit in the last place.
    const stated = [0.121326, 0.226989, 0.132135, 0.098202, 0.174383, 0.169416];
    const halfUlp = 5e-7 + (dtype === 'float32' ? 1e-7 : 1e-12);
    weights.forEach((w, i) => expect(Math.abs(w - stated[i]!)).toBeLessThanOrEqual(halfUlp));
    expect(Math.abs(res.loss!.toNumbers()[0]! - 0.32724)).toBeLessThanOrEqual(halfUlp);
  });
});
