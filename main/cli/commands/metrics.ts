// `denoise-lab metrics <reference> <test> [--json]`: MSE, PSNR and SSIM (also on luma), 0–255 scale.
import { type Command, UsageError } from '../command.js';
import { compareImages } from '../../imaging/metrics.js';
import { readImage } from '../../imaging/codec.js';
import { pixelLimitOption } from '../options.js';

export const metricsCommand: Command = {
  name: 'metrics',
  summary: 'compare two images: PSNR, SSIM, MSE (also on luma)',
  usage: `Usage: denoise-lab metrics <reference> <test> [--json] [--max-megapixels N]

Compares <test> with <reference> on the 0–255 scale. Both must have the same size and channels.

  psnr, ssim, mse   over all colour channels (SSIM: mean of the channel SSIMs; Gaussian window
                    11×11, σ 1.5, as Wang et al. 2004 and scikit-image)
  psnr_y, ssim_y    on BT.601 luma Y = 0.299 R + 0.587 G + 0.114 B

  --json                one JSON document {"psnr","ssim","mse","psnr_y","ssim_y"}
                        (psnr is null for identical images: infinite)
  --max-megapixels N    refuse larger images (default 200)`,
  options: {
    json: { type: 'boolean' },
    'max-megapixels': { type: 'string' },
  },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    if (positionals.length !== 2) throw new UsageError('expected two images: <reference> <test>');
    const limitInputPixels = pixelLimitOption(values);
    const [refPath, testPath] = positionals as [string, string];
    const [ref, test] = await Promise.all([
      readImage(refPath, { limitInputPixels }),
      readImage(testPath, { limitInputPixels }),
    ]);
    const m = compareImages(ref, test);
    if (values.json) {
      const finite = (v: number) => (Number.isFinite(v) ? v : null);
      io.out(
        JSON.stringify({ psnr: finite(m.psnr), ssim: m.ssim, mse: m.mse, psnr_y: finite(m.psnr_y), ssim_y: m.ssim_y }) +
          '\n',
      );
    } else {
      const db = (v: number) => (Number.isFinite(v) ? `${v.toFixed(3)} dB` : 'inf (identical)');
      io.out(
        [
          `PSNR    ${db(m.psnr)}`,
          `SSIM    ${m.ssim.toFixed(5)}`,
          `MSE     ${m.mse.toFixed(4)}`,
          `PSNR_Y  ${db(m.psnr_y)}`,
          `SSIM_Y  ${m.ssim_y.toFixed(5)}`,
        ].join('\n') + '\n',
      );
    }
    return 0;
  },
};
