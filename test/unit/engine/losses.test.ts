// Losses and penalties: values and gradients against PyTorch float64 fixtures (losses.json), and a
// finite-difference check of each one's gradient through backward() (float64, reference interpreter).

import { describe, expect, it } from 'vitest';
import { Rng } from '../../../common/rng.js';
import { evaluate } from '../../../main/engine/exec/reference/index.js';
import { backward } from '../../../main/engine/grad/index.js';
import { Graph, Tensor, type FloatType, type Value } from '../../../main/engine/ir/index.js';
import {
  asymmetricMse,
  bce,
  bceWithLogits,
  charbonnier,
  contractivePenalty,
  crossEntropyWithLogits,
  gaussianKl,
  klSparsity,
  l1Sparsity,
  mae,
  mse,
  noiseWeightedMse,
  reparameterize,
} from '../../../main/engine/losses/index.js';
import { checkGradients, randomTensor } from './grad-check.js';
import { FIXTURE_TOL, type JsonTensor, expectMatches, loadFixture, toTensor } from './fixtures-load.js';

interface LossCase {
  name: string;
  params: Record<string, number>;
  inputs: Record<string, JsonTensor>;
  value: number;
  grads: Record<string, JsonTensor | null>;
}

type Builder = (g: Graph, v: Record<string, Value>, p: Record<string, number>) => Value;

/** The engine's function for each fixture case. */
const builders: Record<string, Builder> = {
  mse_mean: (g, v) => mse(g, v.pred!, v.target!),
  mae_mean: (g, v) => mae(g, v.pred!, v.target!),
  bce_with_logits_mean: (g, v) => bceWithLogits(g, v.logits!, v.target!),
  bce_with_logits_sum_features_mean_batch: (g, v) => bceWithLogits(g, v.logits!, v.target!, 'batchmean'),
  charbonnier_mean: (g, v, p) => charbonnier(g, v.pred!, v.target!, p.eps),
  vae_kl_standard_normal: (g, v) => gaussianKl(g, v.mu!, v.logvar!),
  l1_sparsity: (g, v, p) => l1Sparsity(g, v.z!, p.lambda),
  kl_sparsity: (g, v, p) => klSparsity(g, v.h!, p.rho!, p.beta),
  contractive_dense_sigmoid: (g, v) =>
    contractivePenalty(g, { h: g.sigmoid(g.add(g.matmul(v.x!, v.W!), v.b!)), weight: v.W!, activation: 'sigmoid' }),
};

const cases = loadFixture<{ cases: LossCase[] }>('losses.json').cases;

describe.each(['float64', 'float32'] as const)('PyTorch fixtures: losses and penalties (%s)', (dtype: FloatType) => {
  it('has an engine builder for every fixture case', () => {
    expect(cases.map((c) => c.name).filter((n) => !builders[n])).toEqual([]);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const g = new Graph(dtype);
    const vars: Record<string, Value> = {};
    const feeds: Record<string, ReturnType<typeof toTensor>> = {};
    for (const [k, t] of Object.entries(c.inputs)) {
      vars[k] = g.input(k, t.shape);
      feeds[k] = toTensor(t, dtype);
    }
    const loss = builders[c.name]!(g, vars, c.params);
    expect(loss.shape).toEqual([]);
    const grads = backward(g, loss, Object.values(vars));
    const res = evaluate(g, feeds, [loss.name, ...Object.values(vars).map((v) => grads.get(v.name)!.name)]);
    expectMatches(res[loss.name]!, c.value, FIXTURE_TOL[dtype], `${c.name} value`);
    for (const [k, want] of Object.entries(c.grads)) {
      if (want) expectMatches(res[grads.get(k)!.name]!, want, FIXTURE_TOL[dtype], `${c.name} ∂/∂${k}`);
    }
  });
});

describe('finite-difference check of every loss and penalty (float64)', () => {
  const rng = new Rng(7);
  const r = (shape: number[], lo = -1, hi = 1, kinks: number[] = []) => randomTensor(rng, shape, lo, hi, kinks);
  const check = (
    inputs: Record<string, ReturnType<typeof r>>,
    f: (g: Graph, v: Record<string, Value>) => Value,
  ): void => {
    checkGradients({
      build: (g) => {
        const v: Record<string, Value> = {};
        for (const [k, t] of Object.entries(inputs)) v[k] = g.input(k, t.shape);
        return { loss: f(g, v), wrt: Object.values(v) };
      },
      feeds: inputs,
    });
  };
  const pair = () => {
    const pred = r([2, 3, 4]);
    const target = r([2, 3, 4]);
    // keep |pred − target| away from 0 for MAE's kink
    for (let i = 0; i < pred.size; i++)
      if (Math.abs((pred.data[i] as number) - (target.data[i] as number)) < 0.05) (pred.data[i] as number) += 0.1;
    return { pred, target };
  };

  it('MSE, MAE, Charbonnier', () => {
    check(pair(), (g, v) => mse(g, v.pred!, v.target!));
    check(pair(), (g, v) => mae(g, v.pred!, v.target!, 'sum'));
    check(pair(), (g, v) => charbonnier(g, v.pred!, v.target!, 0.1, 'batchmean'));
  });

  it('noise-weighted MSE, its map broadcast over channels', () => {
    const { pred, target } = pair();
    check({ pred, target, level: r([2, 1, 4], 0, 0.3) }, (g, v) =>
      noiseWeightedMse(g, v.pred!, v.target!, v.level!, 0.1),
    );
  });

  it("CBDNet's asymmetric MSE, on both sides of pred = target", () => {
    const { pred, target } = pair();
    check({ pred, target }, (g, v) => asymmetricMse(g, v.pred!, v.target!, 0.3));
  });

  it('BCE from logits and on probabilities', () => {
    check({ logits: r([3, 4], -3, 3), target: r([3, 4], 0, 1) }, (g, v) => bceWithLogits(g, v.logits!, v.target!));
    check({ prob: r([3, 4], 0.05, 0.95), target: r([3, 4], 0, 1) }, (g, v) => bce(g, v.prob!, v.target!));
  });

  it('cross-entropy from logits', () => {
    const target = r([3, 5], 0, 1);
    // rows of a probability distribution
    for (let n = 0; n < 3; n++) {
      let s = 0;
      for (let j = 0; j < 5; j++) s += target.data[n * 5 + j] as number;
      for (let j = 0; j < 5; j++) (target.data[n * 5 + j] as number) /= s;
    }
    check({ logits: r([3, 5], -2, 2), target }, (g, v) => crossEntropyWithLogits(g, v.logits!, v.target!));
  });

  it('VAE: reparameterised sample and KL term', () => {
    check({ mu: r([4, 3]), logvar: r([4, 3]), eps: r([4, 3]) }, (g, v) => {
      const z = reparameterize(g, v.mu!, v.logvar!, v.eps!);
      return g.add(g.reduceSum(g.mul(z, z), undefined, false), gaussianKl(g, v.mu!, v.logvar!));
    });
  });

  it('L1 and KL sparsity', () => {
    check({ z: r([4, 6], -1, 1, [0]) }, (g, v) => l1Sparsity(g, v.z!, 0.3));
    check({ h: r([5, 4], 0.05, 0.95) }, (g, v) => klSparsity(g, v.h!, 0.1, 2));
  });

  it.each(['sigmoid', 'tanh', 'relu', 'linear'] as const)('contractive penalty, %s encoder', (activation) => {
    const act = (g: Graph, a: Value): Value =>
      activation === 'sigmoid'
        ? g.sigmoid(a)
        : activation === 'tanh'
          ? g.tanh(a)
          : activation === 'relu'
            ? g.relu(a)
            : a;
    // Keep pre-activations away from ReLU's kink: x·W + b with b pushed off zero is checked below.
    check({ x: r([3, 5]), W: r([5, 4]), b: r([4], 0.3, 0.6) }, (g, v) =>
      contractivePenalty(g, { h: act(g, g.add(g.matmul(v.x!, v.W!), v.b!)), weight: v.W!, activation }),
    );
  });

  it('contractive closed form equals the squared Frobenius norm of the Jacobian (tanh, [out, in] layout)', () => {
    const g = new Graph('float64');
    const x = g.input('x', [1, 3]);
    const w = g.input('W', [2, 3]);
    const h = g.tanh(g.gemm(x, w, null, { transB: true }));
    const penalty = contractivePenalty(g, { h, weight: w, activation: 'tanh', layout: 'out_in' });
    // Jacobian rows by backward() of each hidden unit.
    const rows = [0, 1].map((j) =>
      backward(g, g.reduceSum(g.slice(h, [j], [j + 1], [1]), undefined, false), [x]).get('x')!,
    );
    const feeds = { x: r([1, 3]), W: r([2, 3]) };
    const out = evaluate(g, feeds, [penalty.name, ...rows.map((v) => v.name)]);
    const frob = rows.reduce((s, v) => s + out[v.name]!.toNumbers().reduce((a, b) => a + b * b, 0), 0);
    expect(out[penalty.name]!.toNumbers()[0]).toBeCloseTo(frob, 12);
  });
});

describe('noise-weighted MSE', () => {
  it('weighs each pixel by f²/(σ² + f²): 1 where the map says 0, ½ where it says f', () => {
    const g = new Graph('float64');
    const pred = g.input('pred', [1, 2, 1, 2]);
    const target = g.input('target', [1, 2, 1, 2]);
    const level = g.input('level', [1, 1, 1, 2]);
    const loss = noiseWeightedMse(g, pred, target, level, 0.1);
    const t = (shape: number[], data: number[]) => toTensor({ shape, data }, 'float64');
    const out = evaluate(
      g,
      {
        pred: t([1, 2, 1, 2], [0.5, 0.2, 0.1, 0]),
        target: t([1, 2, 1, 2], [0, 0, 0, 0]),
        level: t([1, 1, 1, 2], [0, 0.1]),
      },
      [loss.name],
    );
    // (0.25·1 + 0.04·½ + 0.01·1 + 0·½) / 4
    expect(out[loss.name]!.toNumbers()[0]).toBeCloseTo(0.07, 12);
  });
});

describe("CBDNet's asymmetric MSE: golden values", () => {
  it('weighs under-estimates 1 − α and over-estimates α (by hand, α 0.3)', () => {
    const g = new Graph('float64');
    const pred = g.input('pred', [4]);
    const target = g.input('target', [4]);
    const loss = asymmetricMse(g, pred, target, 0.3);
    const grads = backward(g, loss, [pred]);
    const t = (v: number[]) => new Tensor('float64', [4], Float64Array.from(v));
    // d = pred − target = [−0.2, 0.4, 0, −0.4]: under, over, exact, under.
    const res = evaluate(g, { pred: t([0.1, 0.5, 0.2, 0]), target: t([0.3, 0.1, 0.2, 0.4]) }, [
      loss.name,
      grads.get('pred')!.name,
    ]);
    // (0.7·0.04 + 0.3·0.16 + 0 + 0.7·0.16) / 4 = 0.188 / 4
    expect(res[loss.name]!.data[0]).toBeCloseTo(0.047, 12);
    // ∂/∂pred = 2·w·d / 4
    const grad = Array.from(res[grads.get('pred')!.name]!.data as Float64Array);
    [-0.07, 0.06, 0, -0.14].forEach((want, i) => expect(grad[i]).toBeCloseTo(want, 12));
    // An under-estimate by 0.1 costs 0.7/0.3 times an over-estimate by 0.1.
    const one = (p: number) =>
      evaluate(g, { pred: t([p, 0.5, 0.5, 0.5]), target: t([0.5, 0.5, 0.5, 0.5]) }, [loss.name])[loss.name]!
        .data[0] as number;
    expect(one(0.4) / one(0.6)).toBeCloseTo(0.7 / 0.3, 9);
  });
});
