// Reconstruction and classification losses, as graph builders. Each returns a scalar (shape []).

import type { Graph, Value } from '../ir/graph.js';
import { type Reduction, reduceLoss } from './reduce.js';

/** Mean squared error: reduce((pred − target)²). */
export function mse(g: Graph, pred: Value, target: Value, reduction: Reduction = 'mean'): Value {
  const d = g.sub(pred, target);
  return reduceLoss(g, g.mul(d, d), reduction);
}

/**
 * Noise-weighted squared error for denoisers told their noise level: mean((pred − target)² · w)
 * with w = f² / (m² + f²), m the noise-level map (σ/255, broadcast over channels) and f a floor.
 * Plain MSE is dominated by the noisiest samples (σ 75 leaves 25× the error of σ 15), so a model
 * trained for σ ∈ [0, 75] learns to blur and is slow to learn to keep detail at low σ; this weight
 * makes every noise level count about alike in dB. Weight 1 at σ = 0, ½ at σ = f.
 */
export function noiseWeightedMse(g: Graph, pred: Value, target: Value, noiseLevel: Value, floor: number): Value {
  const d = g.sub(pred, target);
  const f2 = g.scalar(floor * floor, d.dtype);
  const w = g.div(f2, g.add(g.mul(noiseLevel, noiseLevel), f2));
  return reduceLoss(g, g.mul(g.mul(d, d), w), 'mean');
}

/**
 * Asymmetric squared error of a noise-level estimator (CBDNet, Guo et al. 2019, eq. 3):
 * mean(|α − 𝟙(pred < target)| · (pred − target)²), written as
 * mean(α·relu(d)² + (1 − α)·relu(−d)²) with d = pred − target, which is the same function with a
 * continuous derivative and needs no comparison op. With α < ½ an under-estimate costs more than
 * an over-estimate of the same size ((1 − α) against α): a non-blind denoiser given too low a
 * level leaves noise, one given too high a level only smooths a little more, and CBDNet measured
 * the second to be far the lesser harm. α 0.3 is CBDNet's value.
 */
export function asymmetricMse(g: Graph, pred: Value, target: Value, alpha: number): Value {
  const d = g.sub(pred, target);
  const over = g.relu(d);
  const under = g.relu(g.neg(d));
  const w = (v: number) => g.scalar(v, d.dtype);
  return reduceLoss(g, g.add(g.mul(g.mul(over, over), w(alpha)), g.mul(g.mul(under, under), w(1 - alpha))), 'mean');
}

/** Mean absolute error: reduce(|pred − target|). */
export function mae(g: Graph, pred: Value, target: Value, reduction: Reduction = 'mean'): Value {
  return reduceLoss(g, g.abs(g.sub(pred, target)), reduction);
}

/** Charbonnier (smooth L1): reduce(√((pred − target)² + eps²)). */
export function charbonnier(g: Graph, pred: Value, target: Value, eps = 1e-3, reduction: Reduction = 'mean'): Value {
  const d = g.sub(pred, target);
  return reduceLoss(g, g.sqrt(g.add(g.mul(d, d), g.scalar(eps * eps, d.dtype))), reduction);
}

/**
 * Binary cross-entropy on logits l with (possibly soft) targets t:
 * (1 − t)·l + softplus(−l), which equals PyTorch's max(l, 0) − l·t + log(1 + e^−|l|) and whose
 * derivative σ(l) − t is exact everywhere, including l = 0.
 */
export function bceWithLogits(g: Graph, logits: Value, target: Value, reduction: Reduction = 'mean'): Value {
  const one = g.scalar(1, logits.dtype);
  const terms = g.add(g.mul(g.sub(one, target), logits), g.softplus(g.neg(logits)));
  return reduceLoss(g, terms, reduction);
}

/** Binary cross-entropy on probabilities p, with PyTorch's clamp of each log at −100. */
export function bce(g: Graph, prob: Value, target: Value, reduction: Reduction = 'mean'): Value {
  const one = g.scalar(1, prob.dtype);
  const floor = g.scalar(-100, prob.dtype);
  const logP = g.max(g.log(prob), floor);
  const log1mP = g.max(g.log(g.sub(one, prob)), floor);
  const terms = g.neg(g.add(g.mul(target, logP), g.mul(g.sub(one, target), log1mP)));
  return reduceLoss(g, terms, reduction);
}

/**
 * Cross-entropy of class logits [N, C] against target probabilities [N, C] (one-hot labels or
 * soft targets): −Σ_c t·log softmax(l), averaged over the batch (PyTorch's CrossEntropyLoss).
 */
export function crossEntropyWithLogits(g: Graph, logits: Value, target: Value): Value {
  const perSample = g.reduceSum(g.mul(target, g.logSoftmax(logits, -1)), [-1], false);
  return g.neg(g.reduceMean(perSample, undefined, false));
}
