// Score a test image against a reference: MSE, PSNR and SSIM (colour and luma), plus the SSIM map.
import { compareImages, ssim } from '../../imaging/metrics.js';
import { createImage } from '../../imaging/image.js';
import type { JobHandler } from './types.js';

/** Infinity (identical images) has no JSON form: the contract says null. */
const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

export const evaluate: JobHandler<'evaluate'> = async (params, ctx) => {
  const reference = await ctx.images.load(params.referenceId);
  const test = await ctx.images.load(params.testId);
  ctx.progress({ fraction: 0.05, message: 'computing PSNR and SSIM' });
  await ctx.checkpoint();
  const m = compareImages(reference, test);
  let ssimMap = null;
  if (params.ssimMap) {
    ctx.progress({ fraction: 0.6, message: 'computing the SSIM map' });
    await ctx.checkpoint();
    const { map } = ssim(reference, test, { map: true });
    const image = createImage(reference.width, reference.height, 1);
    // SSIM lies in [-1, 1]; show negative structure as black.
    for (let i = 0; i < image.data.length; i++) image.data[i] = Math.max(0, map![i]!);
    ssimMap = await ctx.saveImage(image, 'SSIM map');
  }
  return {
    psnr: finiteOrNull(m.psnr),
    ssim: m.ssim,
    mse: m.mse,
    psnr_y: finiteOrNull(m.psnr_y),
    ssim_y: m.ssim_y,
    ssimMap,
  };
};
