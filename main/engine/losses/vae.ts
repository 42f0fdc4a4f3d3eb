// The variational autoencoder's pieces: reparameterised sampling and the KL term to N(0, I).
// The noise eps is a graph input; the trainer fills it each step from the seeded Rng
// (main/common/rng.ts), so a run is reproducible and every executor sees the same sample.

import type { Graph, Value } from '../ir/graph.js';
import { type Reduction, reduceLoss } from './reduce.js';

/** z = μ + exp(½·log σ²)·ε. */
export function reparameterize(g: Graph, mu: Value, logvar: Value, eps: Value): Value {
  return g.add(mu, g.mul(g.exp(g.mul(logvar, g.scalar(0.5, logvar.dtype))), eps));
}

/**
 * KL(N(μ, σ²) ‖ N(0, I)) = −½·Σ(1 + log σ² − μ² − σ²), summed over latent dimensions and by default
 * averaged over the batch ('batchmean'), as in the usual VAE objective.
 */
export function gaussianKl(g: Graph, mu: Value, logvar: Value, reduction: Reduction = 'batchmean'): Value {
  const one = g.scalar(1, mu.dtype);
  const inner = g.sub(g.sub(g.add(one, logvar), g.mul(mu, mu)), g.exp(logvar));
  return g.mul(reduceLoss(g, inner, reduction), g.scalar(-0.5, mu.dtype));
}
