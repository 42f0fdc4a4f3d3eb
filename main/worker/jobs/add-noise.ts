// Corrupt an image on purpose with one of the seeded noise models, or a simulated camera (so the
// app can score itself). Camera noise also stores the same camera without noise: the reference a
// denoised result is scored against, since demosaicking alone changes a photo.
import { Rng } from '../../../common/rng.js';
import { addNoise as applyNoise } from '../../../common/noise.js';
import { noiseFromLevels } from '../../../common/noise-spec.js';
import { compressJpeg, simulateCameraNoise } from '../../imaging/camera/index.js';
import { withData, withoutJpegQuality } from '../../imaging/image.js';
import type { JobHandler } from './types.js';

export const addNoise: JobHandler<'add-noise'> = async (params, ctx) => {
  const clean = await ctx.images.load(params.imageId);
  const { name } = await ctx.images.describe(params.imageId);
  ctx.progress({ fraction: 0.1, message: `adding ${params.type} noise` });
  await ctx.checkpoint();
  if (params.type === 'camera') {
    const jpeg = params.jpegQuality;
    const sim = simulateCameraNoise(clean, { level: params.level, jpegQuality: jpeg }, new Rng(params.seed), {
      clean: true,
    });
    const noisy = jpeg ? await compressJpeg(sim.noisy, jpeg) : sim.noisy;
    ctx.progress({ fraction: 0.8, message: 'storing the noisy image and its reference' });
    await ctx.checkpoint();
    const what = `camera ${params.level}${jpeg ? `, JPEG ${jpeg}` : ''} (seed ${params.seed})`;
    // Both keep the source's metadata, as the simulator hands them back: new pixels, so no JPEG
    // quality of the source's, and the noisy one's own when the camera saved a JPEG.
    const reference = await ctx.saveImage(sim.clean!, `${name}, ${what} without noise`);
    const image = await ctx.saveImage(noisy, `${name} + ${what}`);
    return { ...image, reference };
  }
  const noisy = applyNoise(clean.data, clean.channels, noiseFromLevels(params), new Rng(params.seed), {
    clip: params.clip,
  });
  ctx.progress({ fraction: 0.8, message: 'storing the noisy image' });
  await ctx.checkpoint();
  const image = { ...withData(clean, noisy), meta: withoutJpegQuality(clean.meta) };
  return ctx.saveImage(image, `${name} + ${params.type} ${params.level} (seed ${params.seed})`, {
    unclipped: !params.clip,
  });
};
