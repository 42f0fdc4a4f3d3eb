// Corrupt an image on purpose with one of the seeded noise models (so the app can score itself).
import { Rng } from '../../../common/rng.js';
import { addNoise as applyNoise, type NoiseSpec } from '../../../common/noise.js';
import { withData } from '../../imaging/image.js';
import type { JobParams } from '../../../common/contract.js';
import type { JobHandler } from './types.js';

/** The contract's (type, level, extras) → the imaging module's noise spec (add-noise and train). */
export function noiseSpec(
  p: Pick<JobParams<'add-noise'>, 'type' | 'level' | 'gaussianSigma' | 'saltRatio'>,
): NoiseSpec {
  switch (p.type) {
    case 'gaussian':
      return { type: 'gaussian', sigma: p.level };
    case 'poisson':
      return { type: 'poisson', photons: p.level };
    case 'poisson-gaussian':
      return { type: 'poisson-gaussian', photons: p.level, sigma: p.gaussianSigma ?? 0 };
    case 'salt-pepper':
      return p.saltRatio === undefined
        ? { type: 'salt-pepper', amount: p.level }
        : { type: 'salt-pepper', amount: p.level, saltRatio: p.saltRatio };
    case 'speckle':
      return { type: 'speckle', sigma: p.level };
    case 'mask':
      return { type: 'mask', fraction: p.level };
  }
}

export const addNoise: JobHandler<'add-noise'> = async (params, ctx) => {
  const clean = await ctx.images.load(params.imageId);
  const { name } = await ctx.images.describe(params.imageId);
  ctx.progress({ fraction: 0.1, message: `adding ${params.type} noise` });
  await ctx.checkpoint();
  const noisy = applyNoise(clean.data, clean.channels, noiseSpec(params), new Rng(params.seed), { clip: params.clip });
  ctx.progress({ fraction: 0.8, message: 'storing the noisy image' });
  await ctx.checkpoint();
  return ctx.saveImage(withData(clean, noisy), `${name} + ${params.type} ${params.level} (seed ${params.seed})`, {
    unclipped: !params.clip,
  });
};
