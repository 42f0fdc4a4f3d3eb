// The training objective of each variant, added on top of the forward graph:
//   reconstruction   mse / mae / charbonnier on the output, or BCE on the output layer's logits,
//                    or noise-weighted MSE (denoisers with a noise-level map; losses/reconstruction),
//                    or CBDNet's asymmetric MSE (noise estimators against the true map);
//                    mean over all elements (PyTorch's default), except for the VAE, whose terms
//                    are summed over features and averaged over the batch (the ELBO's scale)
//   sparse           + λ·Σ|z| / N (L1)  or  + β·Σ_j KL(ρ ‖ ρ̂_j) (KL to a target mean activation)
//   contractive      + λ·mean_n ‖∂z/∂x‖²_F (closed form for the one-layer dense encoder)
//   variational      + β·KL(q(z|x) ‖ N(0, I)) per sample; total = −ELBO per sample with BCE
// The terms are graph outputs of the step ('loss/<term>'); the probes (latent code, μ, log σ²,
// every layer's feature map) are values the trainer may ask the step graph to return.

import type { Value } from '../ir/graph.js';
import {
  type Reduction,
  asymmetricMse,
  bceWithLogits,
  charbonnier,
  contractivePenalty,
  gaussianKl,
  klSparsity,
  l1Sparsity,
  mae,
  mse,
  noiseWeightedMse,
} from '../losses/index.js';
import type { Architecture } from '../../../common/model/architecture.js';
import { type ForwardGraph, type GraphOptions, buildForward } from './build.js';

export interface TrainingModel {
  forward: ForwardGraph;
  /** The target 'y', shaped like the output: the clean sample, or an estimator's noise-level map. */
  target: Value;
  /** Total objective (a scalar). */
  loss: Value;
  /** Its parts by name: 'recon', and 'sparsity' | 'contractive' | 'kl' where the variant adds one. */
  terms: Record<string, Value>;
  /** Values worth watching: 'z', 'mu', 'logvar', 'feature/<layer>'. */
  probes: Record<string, Value>;
}

export const TARGET = 'y';

/** Default floor f of the noise-weighted MSE, σ = 10 on the 0–255 scale (see architecture.ts). */
export const NOISE_WEIGHT_FLOOR = 10;

/** Default α of the asymmetric MSE: CBDNet's 0.3 (see losses/reconstruction.ts). */
export const ASYMMETRY = 0.3;

export function buildTrainingModel(arch: Architecture, o: GraphOptions): TrainingModel {
  const fg = buildForward(arch, { ...o, mode: 'train' });
  const g = fg.graph;
  const target = g.input(TARGET, fg.output.shape);
  const variational = arch.variant.type === 'variational';
  const reduction: Reduction = variational ? 'batchmean' : 'mean';
  const recon = g.scope('loss', () => {
    switch (arch.loss) {
      case 'mse':
        return mse(g, fg.output, target, reduction);
      case 'noise-weighted-mse':
        return noiseWeightedMse(
          g,
          fg.output,
          target,
          fg.noiseLevel!,
          (arch.noiseWeightFloor ?? NOISE_WEIGHT_FLOOR) / 255,
        );
      case 'asymmetric-mse':
        return asymmetricMse(g, fg.output, target, arch.asymmetry ?? ASYMMETRY);
      case 'mae':
        return mae(g, fg.output, target, reduction);
      case 'charbonnier':
        return charbonnier(g, fg.output, target, 1e-3, reduction);
      case 'bce':
        return bceWithLogits(g, fg.outputPre, target, reduction);
    }
  });
  const terms: Record<string, Value> = { recon };
  const v = arch.variant;
  g.scope('loss', () => {
    if (v.type === 'sparse') {
      terms.sparsity = v.penalty === 'l1' ? l1Sparsity(g, fg.z!, v.weight) : klSparsity(g, fg.z!, v.target!, v.weight);
    } else if (v.type === 'contractive') {
      const enc = fg.encoder[0]!;
      if (enc.layer.kind !== 'dense') throw new Error('contractive penalty: the encoder must be dense');
      const act = enc.layer.activation;
      if (act !== 'sigmoid' && act !== 'tanh' && act !== 'relu' && act !== 'linear')
        throw new Error(`contractive penalty: no closed form for a ${act} encoder (use sigmoid, tanh, relu or linear)`);
      const penalty = contractivePenalty(g, {
        h: enc.out,
        weight: fg.params.get(`${enc.layer.name}.W`)!,
        activation: act,
      });
      terms.contractive = g.mul(penalty, g.scalar(v.weight));
    } else if (v.type === 'variational') {
      terms.kl = g.mul(gaussianKl(g, fg.mu!, fg.logvar!), g.scalar(v.beta));
    }
  });
  let loss = recon;
  for (const [name, t] of Object.entries(terms)) if (name !== 'recon') loss = g.add(loss, t);
  const probes: Record<string, Value> = {};
  if (fg.z) probes.z = fg.z;
  if (fg.mu) probes.mu = fg.mu;
  if (fg.logvar) probes.logvar = fg.logvar;
  for (const [name, val] of fg.features) probes[`feature/${name}`] = val;
  return { forward: fg, target, loss, terms, probes };
}
