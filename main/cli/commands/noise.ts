// `denoise-lab noise <in> --out <file> --type … --level <n> [--seed N] [--no-clip]`: adds
// synthetic noise, reproducibly.
import path from 'node:path';
import { type Command, UsageError } from '../command.js';
import { Rng } from '../../common/rng.js';
import { encodeNpy } from '../../common/npy.js';
import { readImage, writeImage, formatFromPath } from '../../imaging/codec.js';
import { writeFileAtomic } from '../../common/atomic-write.js';
import { encodeFloatTiff } from '../../imaging/float-tiff.js';
import { addNoise, noiseSpecFromLevel, NOISE_TYPES } from '../../imaging/noise.js';
import { withData } from '../../imaging/image.js';
import { asUsageError, numberOption, pixelLimitOption, RANGES, refuseOutputOverInput } from '../options.js';

export const noiseCommand: Command = {
  name: 'noise',
  summary: 'add synthetic noise to an image (seeded, reproducible)',
  usage: `Usage: denoise-lab noise <in> --out <file> --type <type> --level <n> [--seed N] [--no-clip]

Levels are on the 0–255 scale (or fractions):
  gaussian           --level σ                 y = x + σ·n, σ 0–255
  poisson            --level photons           photons at full scale (fewer = noisier), 0.01–1e6
  poisson-gaussian   --level photons,σ         shot noise plus Gaussian read noise, e.g. 30,5
  salt-pepper        --level amount[,salt]     fraction of samples hit; share of salt (default 0.5)
  speckle            --level σ                 y = x·(1 + σ·n), σ relative (e.g. 0.2), 0–10
  mask               --level fraction          fraction of pixels set to 0 (all channels)

  --out <file>       .png/.tif (same bit depth as the input), .jpg, .webp, .avif: clipped and
                     quantised; .npy: float32 1×C×H×W on the 0–255 scale (--layout hwc: H×W×C)
  --seed N           seed of the noise, 0–4294967295 (default 0): same seed, same noise everywhere
  --no-clip          keep values outside 0–255; needs a float output: .npy or .tif (32-bit float)
  --layout nchw|hwc  layout of .npy output (default nchw)
  --overwrite        replace an existing output file
  --max-megapixels N refuse larger inputs (default 200)`,
  options: {
    out: { type: 'string' },
    type: { type: 'string' },
    level: { type: 'string' },
    seed: { type: 'string' },
    'no-clip': { type: 'boolean' },
    layout: { type: 'string' },
    overwrite: { type: 'boolean' },
    'max-megapixels': { type: 'string' },
  },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    if (positionals.length !== 1) throw new UsageError('expected one input image');
    const out = values.out;
    if (typeof out !== 'string' || !out) throw new UsageError('--out <file> is required');
    if (typeof values.type !== 'string') throw new UsageError(`--type is required (${NOISE_TYPES.join(', ')})`);
    if (typeof values.level !== 'string') throw new UsageError('--level is required');
    const seed = numberOption(values, 'seed', RANGES.seed) ?? 0;
    const clip = !values['no-clip'];
    const layout = (values.layout as string | undefined) ?? 'nchw';
    if (layout !== 'nchw' && layout !== 'hwc') throw new UsageError(`--layout must be nchw or hwc, got '${layout}'`);
    const ext = path.extname(out).toLowerCase();
    const isNpy = ext === '.npy';
    const isTiff = ext === '.tif' || ext === '.tiff';
    const format = formatFromPath(out);
    if (!isNpy && !format)
      throw new UsageError(`${out}: unknown output type (use .png, .tif, .jpg, .webp, .avif or .npy)`);
    if (!clip && !isNpy && !isTiff)
      throw new UsageError(
        `--no-clip keeps values outside 0–255, which ${ext} (integer samples) cannot store; write .npy or .tif (32-bit float) instead`,
      );

    await refuseOutputOverInput(positionals[0]!, out);
    try {
      const spec = noiseSpecFromLevel(values.type, values.level);
      const image = await readImage(positionals[0]!, { limitInputPixels: pixelLimitOption(values) });
      const noisy = addNoise(image.data, image.channels, spec, new Rng(seed), { clip });
      const overwrite = values.overwrite === true;
      if (isNpy || (!clip && isTiff)) {
        const { width: w, height: h, channels: c } = image;
        const scaled = new Float32Array(noisy.length);
        for (let i = 0; i < noisy.length; i++) scaled[i] = noisy[i]! * 255;
        let bytes: Buffer;
        if (isNpy) {
          if (layout === 'hwc') {
            const hwc = new Float32Array(scaled.length);
            const n = w * h;
            for (let ch = 0; ch < c; ch++) for (let i = 0; i < n; i++) hwc[i * c + ch] = scaled[ch * n + i]!;
            bytes = encodeNpy(hwc, [h, w, c]);
          } else bytes = encodeNpy(scaled, [1, c, h, w]);
        } else bytes = encodeFloatTiff(scaled, w, h, c);
        await writeFileAtomic(out, bytes, { overwrite });
      } else {
        await writeImage(withData(image, noisy), out, { onClash: overwrite ? 'replace' : 'cancel' });
      }
      io.err(`${out}: ${values.type} noise, level ${values.level}, seed ${seed}${clip ? '' : ', not clipped'}\n`);
    } catch (e) {
      throw asUsageError(e);
    }
    return 0;
  },
};
