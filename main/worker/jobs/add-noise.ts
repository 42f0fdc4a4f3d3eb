// Corrupt an image on purpose with one of the seeded noise models (so the app can score itself).
import { Rng } from '../../../common/rng.js';
import { addNoise as applyNoise } from '../../../common/noise.js';
import { noiseFromLevels } from '../../../common/noise-spec.js';
import { withData } from '../../imaging/image.js';
import type { JobHandler } from './types.js';

export const addNoise: JobHandler<'add-noise'> = async (params, ctx) => {
  const clean = await ctx.images.load(params.imageId);
  const { name } = await ctx.images.describe(params.imageId);
  ctx.progress({ fraction: 0.1, message: `adding ${params.type} noise` });
  await ctx.checkpoint();
  const noisy = applyNoise(clean.data, clean.channels, noiseFromLevels(params), new Rng(params.seed), {
    clip: params.clip,
  });
  ctx.progress({ fraction: 0.8, message: 'storing the noisy image' });
  await ctx.checkpoint();
  return ctx.saveImage(withData(clean, noisy), `${name} + ${params.type} ${params.level} (seed ${params.seed})`, {
    unclipped: !params.clip,
  });
};
