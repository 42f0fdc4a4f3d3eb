// Decode one latent point (a click in the scatter) to the picture the decoder makes of it.
import { decode } from '../../ml/train/index.js';
import { latentSpace, toLatent } from './latent-space.js';
import { sampleGrid } from './sample-grid.js';
import type { JobHandler } from './types.js';

export const latentDecode: JobHandler<'latent-decode'> = async (params, ctx) => {
  const space = await latentSpace(ctx, params.modelId);
  const z = toLatent(space, params.point, params.space);
  await ctx.checkpoint();
  const { output } = await decode(space.model, space.executor, z, 1, space.digits.sampleShape);
  const at = params.point.map((v) => v.toFixed(2)).join(', ');
  return ctx.saveImage(sampleGrid(output, 1, space.digits.sampleShape, 1), `decoded (${at})`);
};
