// A small residual denoiser with a noise-level map and seeded feeds for its training step: what the
// training-step tests run on every executor (exec-train-step) and split over slices (sharded-step).
import { Rng } from '../../common/rng.js';
import { architecture, paramSpecs } from '../../common/model/index.js';
import { Tensor } from '../../main/engine/ir/tensor.js';
import { initParams } from '../../main/engine/nn/index.js';
import type { TrainStep } from '../../main/engine/optim/index.js';

export const smallDenoiser = architecture({
  network: { type: 'residual', channels: 1, features: 6, depth: 3, kernel: 3, noiseLevelInput: true },
});

export function uniform(rng: Rng, shape: number[], lo = 0, hi = 1): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return new Tensor(
    'float32',
    shape,
    Array.from({ length: size }, () => lo + (hi - lo) * rng.uniform()),
  );
}

/**
 * Feeds for the first step of `step` on a batch of N 1×H×W samples, all from Rng(11): initial
 * parameters, zero optimizer state, input x, noise-level map, target y, learning rate.
 */
export function seededFeeds(step: TrainStep, target: string, [N, H, W]: number[], lr: number): Record<string, Tensor> {
  const rng = new Rng(11);
  const feeds: Record<string, Tensor> = {
    ...Object.fromEntries(initParams(paramSpecs(smallDenoiser), rng)),
    ...step.initialSlots(),
  };
  feeds.x = uniform(rng, [N!, 1, H!, W!]);
  feeds.noise_level = uniform(rng, [N!, 1, H!, W!], 0.05, 0.2);
  feeds[target] = uniform(rng, [N!, 1, H!, W!]);
  feeds[step.lr] = Tensor.scalar(lr);
  return feeds;
}
