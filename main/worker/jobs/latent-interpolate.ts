// Decodings along the straight line between two latent points, both ends included.
import { decode } from '../../ml/train/index.js';
import { latentSpace, toLatent } from './latent-space.js';
import { sampleGrid } from './sample-grid.js';
import type { JobHandler } from './types.js';

export const latentInterpolate: JobHandler<'latent-interpolate'> = async (params, ctx) => {
  const space = await latentSpace(ctx, params.modelId);
  const from = toLatent(space, params.from, params.space);
  const to = toLatent(space, params.to, params.space);
  const d = space.dims;
  const n = params.steps;
  const z = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const t = i / (n - 1);
    for (let j = 0; j < d; j++) z[i * d + j] = (1 - t) * from[j]! + t * to[j]!;
  }
  await ctx.checkpoint();
  const { output } = await decode(space.model, space.executor, z, n, space.digits.sampleShape);
  const image = await ctx.saveImage(sampleGrid(output, n, space.digits.sampleShape, n), `interpolation in ${n} steps`);
  return { image, rows: 1, cols: n };
};
