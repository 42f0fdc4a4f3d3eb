// Regularisers of the sparse and contractive autoencoders. Each returns a scalar (shape []).

import type { Graph, Value } from '../ir/graph.js';
import { type Reduction, reduceLoss } from './reduce.js';

/** L1 sparsity: λ·Σ|z|, by default divided by the batch size ('batchmean'). */
export function l1Sparsity(g: Graph, z: Value, lambda = 1, reduction: Reduction = 'batchmean'): Value {
  return g.mul(reduceLoss(g, g.abs(z), reduction), g.scalar(lambda, z.dtype));
}

/**
 * KL sparsity: β·Σ_j [ρ·log(ρ/ρ̂_j) + (1−ρ)·log((1−ρ)/(1−ρ̂_j))], where ρ̂_j is the mean activation
 * of hidden unit j over the batch. `h` [N, units…] must lie in (0, 1) (sigmoid activations).
 */
export function klSparsity(g: Graph, h: Value, rho: number, beta = 1): Value {
  if (!(rho > 0 && rho < 1)) throw new RangeError(`klSparsity: target rho must be in (0, 1), got ${rho}`);
  const s = (x: number): Value => g.scalar(x, h.dtype);
  const rhoHat = g.reduceMean(h, [0], false);
  const a = g.mul(s(rho), g.sub(s(Math.log(rho)), g.log(rhoHat)));
  const b = g.mul(s(1 - rho), g.sub(s(Math.log(1 - rho)), g.log(g.sub(s(1), rhoHat))));
  return g.mul(g.reduceSum(g.add(a, b), undefined, false), s(beta));
}

export type DenseActivation = 'sigmoid' | 'tanh' | 'relu' | 'linear';

export interface ContractiveOptions {
  /** The encoder's activations h = act(x·W + b), [N, out]. */
  h: Value;
  /** The encoder's weight: [in, out] (Gemm/MatMul layout, the default) or [out, in] ('out_in'). */
  weight: Value;
  activation: DenseActivation;
  layout?: 'in_out' | 'out_in';
}

/**
 * Contractive penalty ‖∂h/∂x‖²_F in closed form for one dense layer, averaged over the batch:
 * mean_n Σ_j act'(a_nj)²·Σ_i W_ij². act' is written through h (σ' = h(1−h), tanh' = 1−h²,
 * relu' = [h > 0]), so the penalty stays differentiable with respect to x, W and b. No λ: scale it
 * where the total loss is assembled.
 */
export function contractivePenalty(g: Graph, o: ContractiveOptions): Value {
  const { h, weight } = o;
  const one = g.scalar(1, h.dtype);
  let d: Value | null;
  switch (o.activation) {
    case 'sigmoid':
      d = g.mul(h, g.sub(one, h));
      break;
    case 'tanh':
      d = g.sub(one, g.mul(h, h));
      break;
    case 'relu':
      d = g.cast(g.greater(h, g.scalar(0, h.dtype)), h.dtype);
      break;
    case 'linear':
      d = null;
      break;
  }
  const inAxis = (o.layout ?? 'in_out') === 'in_out' ? 0 : 1;
  const colNorms = g.reduceSum(g.mul(weight, weight), [inAxis], false); // [out]: Σ_i W_ij²
  const perUnit = d ? g.mul(g.mul(d, d), colNorms) : g.expand(colNorms, [...h.shape]);
  return g.reduceMean(g.reduceSum(perUnit, [1], false), undefined, false);
}
