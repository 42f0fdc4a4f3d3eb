// Public surface of losses and penalties.
export { type Reduction, reduceLoss } from './reduce.js';
export {
  mse,
  noiseWeightedMse,
  asymmetricMse,
  mae,
  charbonnier,
  bceWithLogits,
  bce,
  crossEntropyWithLogits,
} from './reconstruction.js';
export { reparameterize, gaussianKl } from './vae.js';
export {
  l1Sparsity,
  klSparsity,
  contractivePenalty,
  type ContractiveOptions,
  type DenseActivation,
} from './penalties.js';
