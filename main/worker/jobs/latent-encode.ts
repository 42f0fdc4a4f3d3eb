// The Latent workspace's scatter: `count` digits (a seeded choice) as 2-D points with their labels.
import { Rng } from '../../../common/rng.js';
import { latentSpace } from './latent-space.js';
import type { JobHandler } from './types.js';

export const latentEncode: JobHandler<'latent-encode'> = async (params, ctx) => {
  ctx.progress({ fraction: 0.1, message: 'encoding the digits' });
  const space = await latentSpace(ctx, params.modelId);
  await ctx.checkpoint();
  const n = space.digits.length;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  new Rng(params.seed).shuffle(order);
  const chosen = order.subarray(0, Math.min(params.count, n));
  const labels = space.digits.labels!;
  const points = Array.from(chosen, (index) => ({
    x: space.plot[index * 2]!,
    y: space.plot[index * 2 + 1]!,
    label: labels[index]!,
    index,
  }));
  const pca = space.pca;
  return {
    points,
    latentDim: space.dims,
    projection: pca ? 'pca' : 'identity',
    probe: null,
    ...(pca && pca.totalVariance > 0
      ? { explainedVariance: Math.min(1, (pca.variance[0]! + (pca.variance[1] ?? 0)) / pca.totalVariance) }
      : {}),
  };
};
