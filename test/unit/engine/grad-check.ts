// Finite-difference gradient checking on the float64 reference interpreter, shared by the
// grad-fd tests of ops, losses and penalties.

import { expect } from 'vitest';
import { Rng } from '../../../common/rng.js';
import { evaluate } from '../../../main/engine/exec/reference/index.js';
import { backward } from '../../../main/engine/grad/index.js';
import { Graph, Tensor, type Shape, type Value, sizeOf } from '../../../main/engine/ir/index.js';

export interface GradCheckCase {
  /** Builds the objective on a float64 graph; every `wrt` must be an input or parameter. */
  build(g: Graph): { loss: Value; wrt: Value[] };
  feeds: Record<string, Tensor>;
  h?: number;
  atol?: number;
  rtol?: number;
}

/** Uniform values in [lo, hi), optionally kept at least `gap` away from each of `kinks`. */
export function randomTensor(rng: Rng, shape: Shape, lo = -1, hi = 1, kinks: number[] = [], gap = 0.02): Tensor {
  const data = new Float64Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) {
    let v: number;
    do v = lo + (hi - lo) * rng.uniform();
    while (kinks.some((k) => Math.abs(v - k) < gap));
    data[i] = v;
  }
  return new Tensor('float64', shape, data);
}

/**
 * sum(y · r) for a fixed random r, so every element of y gets a different weight and a wrong
 * gradient cannot hide behind symmetry.
 */
export function weightedSum(g: Graph, y: Value, seed = 99): Value {
  const r = randomTensor(new Rng(seed), y.shape, 0.5, 1.5);
  return g.reduceSum(g.mul(y, g.constant(r, 'weights')), undefined, false);
}

/** Asserts backward()'s gradients equal central differences of the loss, element by element. */
export function checkGradients(c: GradCheckCase): { maxError: number } {
  const g = new Graph('float64');
  const { loss, wrt } = c.build(g);
  const grads = backward(g, loss, wrt);
  const names = wrt.map((w) => grads.get(w.name)!.name);
  const analytic = evaluate(g, c.feeds, names);
  const h = c.h ?? 1e-6;
  const atol = c.atol ?? 1e-7;
  const rtol = c.rtol ?? 1e-6;
  const lossAt = (feeds: Record<string, Tensor>): number => evaluate(g, feeds, [loss.name])[loss.name]!.toNumbers()[0]!;
  let maxError = 0;
  wrt.forEach((w, k) => {
    const base = c.feeds[w.name];
    if (!base) throw new Error(`checkGradients: '${w.name}' must be fed`);
    const got = analytic[names[k]!]!.toNumbers();
    expect(got.length).toBe(base.size);
    for (let i = 0; i < base.size; i++) {
      const plus = new Float64Array(base.data as Float64Array);
      const minus = new Float64Array(base.data as Float64Array);
      plus[i]! += h;
      minus[i]! -= h;
      const fd =
        (lossAt({ ...c.feeds, [w.name]: new Tensor('float64', base.shape, plus) }) -
          lossAt({ ...c.feeds, [w.name]: new Tensor('float64', base.shape, minus) })) /
        (2 * h);
      const err = Math.abs(got[i]! - fd);
      maxError = Math.max(maxError, err);
      if (err > atol + rtol * Math.abs(fd)) {
        throw new Error(`gradient of '${w.name}'[${i}]: backward ${got[i]} vs finite difference ${fd}`);
      }
    }
  });
  return { maxError };
}
